//! The capture file reader (`falco_scap::ScapReader`): every event of a capture, then
//! fields of its thread, descriptor and parameters read from each.
//!
//! Contract: no panic; a damaged capture ends in an error, never a hang; bounded in
//! time and memory (every length read from the file is checked against its block and
//! the documented limits).

use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::OnceLock;

use falco_events::{Extractor, Scratch};
use falco_scap::ScapReader;

/// Fields read from each event: state (thread, ancestors, user, descriptor) and
/// parameters (the `events` target reads them from syscall JSON lines too).
const FIELDS: &[&str] = &[
    "evt.num",
    "evt.type",
    "evt.args",
    "evt.res",
    "proc.cmdline",
    "proc.aname[3]",
    "proc.exepath",
    "proc.env",
    "user.name",
    "group.name",
    "fd.name",
    "fd.typechar",
    "fd.cip",
    "fd.sport",
    "fd.directory",
    "evt.arg.flags",
    "evt.rawarg.res",
    "evt.is_open_read",
];

pub(crate) fn extractors() -> &'static [Extractor] {
    static EXTRACTORS: OnceLock<Vec<Extractor>> = OnceLock::new();
    EXTRACTORS.get_or_init(|| {
        FIELDS
            .iter()
            .filter_map(|field| Extractor::new("syscall", field, None).ok())
            .collect()
    })
}

/// Reads `data` as a capture and every field of each event.
pub fn run(data: &[u8]) {
    let Ok(reader) = ScapReader::open(Cursor::new(data.to_vec())) else {
        return;
    };
    let mut scratch = Scratch::new();
    for event in reader {
        let Ok(event) = event else {
            return;
        };
        for extractor in extractors() {
            let _ = extractor.extract(&event, &mut scratch);
        }
    }
}

/// Falco's regression captures, uncompressed (mutations of gzip bytes rarely get past
/// the checksum).
pub fn seeds(corpus: &Path) -> Vec<Vec<u8>> {
    let dir = corpus.join("falco-traces/trace_files");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "scap"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .map(|bytes| {
            let mut plain = Vec::new();
            match flate2::read::GzDecoder::new(bytes.as_slice()).read_to_end(&mut plain) {
                Ok(_) => plain,
                Err(_) => bytes,
            }
        })
        .collect()
}
