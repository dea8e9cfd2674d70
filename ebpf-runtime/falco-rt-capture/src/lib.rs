//! Kernel capture for falco-rt: loads the CO-RE program from `falco-rt-ebpf`
//! with aya, attaches it (per-syscall exit tracepoints by default, see
//! [`Attach`]), selects syscalls and reads decoded records from the ring buffer.
//!
//! ```no_run
//! use falco_rt_capture::{Capture, CaptureConfig};
//! let mut cap = Capture::start(&CaptureConfig::default(), &["openat", "execve"])?;
//! cap.poll(std::time::Duration::from_millis(50), |ev| println!("{ev:?}"))?;
//! # Ok::<(), falco_rt_capture::CaptureError>(())
//! ```

mod capture;
mod clock;
mod compat;
mod config;
mod error;
mod hooks;
mod privileges;
pub mod syscalls;
mod tracefs;

#[cfg(test)]
mod tests;

pub use capture::{Capture, Counters};
pub use clock::BootClock;
pub use config::{Attach, CaptureConfig};
pub use error::CaptureError;
pub use falco_rt_record::{DecodeError, Event};
pub use privileges::ebpf_permitted;
