//! Reading Falco's regression captures and hostile input.

mod hostile;
mod traces;
