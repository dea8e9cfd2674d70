//! Syscall JSON-lines reading and fields.
