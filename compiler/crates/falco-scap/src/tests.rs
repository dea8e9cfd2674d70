//! Reading Falco's regression captures and hostile input; writing and reading back.

mod hostile;
mod roundtrip;
mod traces;
