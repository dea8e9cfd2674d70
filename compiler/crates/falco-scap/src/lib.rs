//! Falco and sysdig capture files (`.scap`): reading their events as `falco-events`
//! events ([`ScapReader`]), and writing captures Falco reads ([`ScapWriter`]).
//!
//! A capture (libscap's savefile format, possibly gzip-compressed) is a run of blocks: a
//! section header, then metadata (machine, processes, descriptors, users, interfaces),
//! then one block per event record. [`ScapReader`] reads them one at a time in bounded
//! memory: it keeps the thread and descriptor tables the events are read against, as
//! libsinsp does, and yields each event libsinsp would see, with its process chain and its
//! descriptor, ready for the rule VM.
//!
//! Event layouts come from the one event table (`falco_schema::Schema::event_code`, data
//! derived from libs). Records of codes the table does not know are counted and skipped;
//! old layouts (enter/exit pairs, fewer parameters) are read by parameter name.
//!
//! Nothing here panics on any input: every length read from the file is checked against
//! the block it is in, and blocks are bounded ([`MAX_METADATA_BLOCK`], [`MAX_EVENT_BLOCK`],
//! [`MAX_LARGE_EVENT_BLOCK`]; tables by [`MAX_THREADS`] and [`MAX_FDS`]).

mod block;
mod convert;
mod cursor;
mod params;
mod record;
mod state;
mod tables;
mod writer;

#[cfg(test)]
mod tests;

use std::fmt;
use std::io::BufRead;
use std::sync::Arc;

use falco_events::Event;

pub use block::{MAX_EVENT_BLOCK, MAX_LARGE_EVENT_BLOCK, MAX_METADATA_BLOCK, is_capture};
pub use convert::Counts;
pub use state::{MAX_FDS, MAX_THREADS};
pub use tables::{
    FdRecord, FdRecordKind, GroupRecord, InterfaceRecord, MachineInfo, ThreadRecord, UserRecord,
};
pub use writer::{Param, ScapWriter, sockaddr, sockaddr_unix, socktuple};

/// A problem in a capture: where (byte offset in the uncompressed capture, and the block
/// number from 1) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScapError {
    /// Offset of the block in the uncompressed capture.
    pub offset: u64,
    /// Block number, from 1.
    pub block: u64,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ScapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "block {} (byte {}): {}",
            self.block, self.offset, self.message
        )
    }
}

impl std::error::Error for ScapError {}

/// Reads a capture's events one at a time; see the crate documentation.
pub struct ScapReader {
    blocks: block::BlockReader,
    convert: convert::Converter,
    record: record::Record,
    machine: Option<MachineInfo>,
    interfaces: Vec<InterfaceRecord>,
    /// Set at the end, or after an error the reader cannot go past.
    done: bool,
    spare: Option<Event>,
}

impl ScapReader {
    /// Opens a capture: checks its section header. Metadata blocks are read as they come.
    pub fn open<R: BufRead + 'static>(input: R) -> Result<Self, ScapError> {
        let mut blocks = block::BlockReader::new(input).map_err(|e| ScapError {
            offset: 0,
            block: 0,
            message: format!("cannot read the capture: {e}"),
        })?;
        let first = blocks.next()?;
        let Some(first) = first else {
            return Err(blocks.error(0, "the file is empty"));
        };
        if first.kind != block::SHB {
            let kind = first.kind;
            return Err(blocks.error(
                0,
                format!("not a capture: the first block has type {kind:#x}, not a section header"),
            ));
        }
        block::check_section_header(first.body).map_err(|e| blocks.error(0, e))?;
        Ok(ScapReader {
            blocks,
            convert: convert::Converter::default(),
            record: record::Record::default(),
            machine: None,
            interfaces: Vec::new(),
            done: false,
            spare: None,
        })
    }

    /// Stamps `hostname` on every event (`evt.hostname`).
    pub fn with_hostname(mut self, hostname: Option<Arc<str>>) -> Self {
        self.convert.hostname = hostname;
        self
    }

    /// The machine info block, once read.
    pub fn machine(&self) -> Option<&MachineInfo> {
        self.machine.as_ref()
    }

    /// Interface addresses, once read.
    pub fn interfaces(&self) -> &[InterfaceRecord] {
        &self.interfaces
    }

    /// What was read and skipped so far.
    pub fn counts(&self) -> Counts {
        self.convert.counts
    }

    /// Bytes of uncompressed capture read so far.
    pub fn bytes_read(&self) -> u64 {
        self.blocks.offset()
    }

    /// Hands back an event the caller is done with, so the next one reuses its buffers.
    pub fn recycle(&mut self, event: Event) {
        self.spare = Some(event);
    }

    /// Reads a metadata block into the tables.
    fn metadata(&mut self, kind: u32, offset: u64, body_owned: &[u8]) -> Result<(), ScapError> {
        let err = |m: String| ScapError {
            offset,
            block: 0,
            message: m,
        };
        if block::MI.contains(&kind) {
            if body_owned.len() >= tables::MACHINE_INFO_BYTES {
                self.machine = Some(tables::machine_info(body_owned).map_err(err)?);
            }
        } else if block::PL.contains(&kind) {
            let threads = tables::proclist(kind, body_owned)
                .map_err(|m| err(format!("process list: {m}")))?;
            self.convert.state.add_threads(&threads);
        } else if block::FDL.contains(&kind) {
            let (tid, fds) = tables::fdlist(kind, body_owned)
                .map_err(|m| err(format!("descriptor list: {m}")))?;
            self.convert.state.add_fds(tid, &fds);
        } else if block::UL.contains(&kind) {
            let (users, groups) =
                tables::userlist(kind, body_owned).map_err(|m| err(format!("user list: {m}")))?;
            self.convert.state.add_users(users, groups);
        } else if block::IL.contains(&kind) {
            self.interfaces = tables::iflist(kind, body_owned)
                .map_err(|m| err(format!("interface list: {m}")))?;
            self.convert.state.set_interfaces(&self.interfaces);
        }
        // Other blocks (newer metadata) are skipped, as libscap does.
        Ok(())
    }
}

impl Iterator for ScapReader {
    type Item = Result<Event, ScapError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let block = match self.blocks.next() {
                Ok(Some(block)) => block,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    // The block layer cannot resynchronise after a bad length.
                    self.done = true;
                    return Some(Err(e));
                }
            };
            let (kind, offset, block_no) = (block.kind, block.offset, block.number);
            if block::EV.contains(&kind) || block::EVF.contains(&kind) {
                let body = block.body;
                match record::read(kind, body, &mut self.record) {
                    Ok(()) => {
                        let spare = self.spare.take();
                        if let Some(event) = self.convert.event(&self.record, body, spare) {
                            return Some(Ok(event));
                        }
                    }
                    Err(record::Skip::UnknownCode) => self.convert.counts.unknown += 1,
                    Err(record::Skip::Bad(message)) => {
                        return Some(Err(ScapError {
                            offset,
                            block: block_no,
                            message: format!("event record: {message}"),
                        }));
                    }
                }
            } else {
                let body = block.body.to_vec();
                if let Err(mut e) = self.metadata(kind, offset, &body) {
                    e.block = block_no;
                    return Some(Err(e));
                }
            }
        }
    }
}
