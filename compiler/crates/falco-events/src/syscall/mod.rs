//! Syscall events in our JSON-lines format (stub, filled in below).

use crate::event::Event;
use crate::value::{FieldValue, Scratch};

/// A syscall event.
#[derive(Debug, Clone)]
pub struct SyscallEvent {
    evt_type: Box<str>,
}

impl SyscallEvent {
    /// The event type (`openat`, `execve`, ...).
    pub fn event_type(&self) -> &str {
        &self.evt_type
    }
}

/// A compiled syscall field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SysField {}

impl SysField {
    pub(crate) fn compile(_name: &str, _arg: Option<&str>) -> Result<SysField, ()> {
        Err(())
    }
    pub(crate) fn is_supported(_name: &str) -> bool {
        false
    }
    pub(crate) fn extract<'a>(
        &self,
        _ev: &'a SyscallEvent,
        _event: &'a Event,
        _scratch: &'a mut Scratch,
    ) -> FieldValue<'a> {
        match *self {}
    }
}
