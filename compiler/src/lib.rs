//! falco-rulec library: the lint driver and the CLI (implementation pending).
