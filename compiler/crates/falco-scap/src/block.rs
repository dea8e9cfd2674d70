//! The block layer of a capture: a pcapng-like run of blocks, each
//! `type: u32, total length: u32, body, padding to 4 bytes, total length: u32`, little
//! endian, the whole file possibly gzip-compressed (as `sysdig -z` and Falco's tests write).

use std::io::{self, BufRead, BufReader, Read};

use crate::ScapError;

/// Section header block (`\r\n\n\r`).
pub(crate) const SHB: u32 = 0x0A0D_0D0A;
/// The section header's byte-order magic, as a little-endian file holds it.
pub(crate) const SHB_MAGIC: u32 = 0x1A2B_3C4D;
/// The byte-order magic of a big-endian file, read little endian.
const SHB_MAGIC_SWAPPED: u32 = 0x4D3C_2B1A;
/// Machine info (and its pre-release number).
pub(crate) const MI: [u32; 2] = [0x201, 0x8002_ABCD];
/// Process lists, V1 to V9 (with the pre-release numbers of V1-V3).
pub(crate) const PL: [u32; 12] = [
    0x202,
    0x8000_ABCD,
    0x207,
    0x8013_ABCD,
    0x209,
    0x8014_ABCD,
    0x210,
    0x211,
    0x212,
    0x213,
    0x214,
    0x215,
];
/// File descriptor lists: V1 (and pre-release), V2.
pub(crate) const FDL: [u32; 3] = [0x203, 0x8001_ABCD, 0x218];
/// Interface lists: V1 (and pre-release), V2.
pub(crate) const IL: [u32; 3] = [0x205, 0x8011_ABCD, 0x219];
/// User lists: V1 (and pre-release), V2.
pub(crate) const UL: [u32; 3] = [0x206, 0x8012_ABCD, 0x220];
/// Event blocks without flags: V1 (and pre-release, no `nparams` in the header), V2, V2
/// with 32-bit parameter lengths.
pub(crate) const EV: [u32; 4] = [0x204, 0x8010_ABCD, 0x216, 0x221];
/// Event blocks with 32 bits of flags after the CPU number: V1, V2, V2 large.
pub(crate) const EVF: [u32; 3] = [0x208, 0x217, 0x222];

/// The current major version of the format; later ones are refused, as libscap does.
pub(crate) const MAJOR_VERSION: u16 = 1;

/// The largest metadata block read (process, descriptor, user and interface lists): a
/// process list of tens of thousands of threads fits.
pub const MAX_METADATA_BLOCK: u32 = 256 << 20;
/// The largest event block read: libscap's 64 KiB for ordinary events; blocks of large
/// payload events (`*_LARGE`) may hold up to 16 MiB.
pub const MAX_EVENT_BLOCK: u32 = 64 << 10;
/// The largest block of a large-payload event.
pub const MAX_LARGE_EVENT_BLOCK: u32 = 16 << 20;

/// True if `prefix` (the first bytes of a file) starts a capture: the section header block
/// of an uncompressed one, or a gzip stream (checked further when it is read).
pub fn is_capture(prefix: &[u8]) -> bool {
    prefix.starts_with(&SHB.to_le_bytes()) || prefix.starts_with(&[0x1f, 0x8b])
}

/// Reads blocks one at a time into one reused buffer.
pub(crate) struct BlockReader {
    input: Box<dyn Read>,
    /// Bytes of (uncompressed) capture consumed so far.
    offset: u64,
    /// Blocks read so far.
    count: u64,
    body: Vec<u8>,
}

/// One block: its type and its body (without padding or trailer for metadata blocks;
/// event blocks keep their padding, which the event record's own length bounds).
pub(crate) struct Block<'a> {
    pub(crate) kind: u32,
    pub(crate) body: &'a [u8],
    /// Where the block starts in the uncompressed capture.
    pub(crate) offset: u64,
    /// Its number, from 1.
    pub(crate) number: u64,
}

impl BlockReader {
    /// A reader of `input`, uncompressing it if it is gzip.
    pub(crate) fn new<R: BufRead + 'static>(mut input: R) -> io::Result<Self> {
        let gzip = input.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        let input: Box<dyn Read> = if gzip {
            Box::new(BufReader::with_capacity(
                1 << 16,
                flate2::bufread::MultiGzDecoder::new(input),
            ))
        } else {
            Box::new(input)
        };
        Ok(BlockReader {
            input,
            offset: 0,
            count: 0,
            body: Vec::new(),
        })
    }

    /// Bytes of uncompressed capture consumed so far.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// An error about the block that starts at `offset`.
    pub(crate) fn error(&self, offset: u64, message: impl Into<String>) -> ScapError {
        ScapError {
            offset,
            block: self.count,
            message: message.into(),
        }
    }

    /// The next block; `None` at a clean end of the file.
    pub(crate) fn next(&mut self) -> Result<Option<Block<'_>>, ScapError> {
        let start = self.offset;
        let mut header = [0u8; 8];
        let got = read_full(&mut self.input, &mut header)
            .map_err(|e| self.error(start, format!("cannot read the capture: {e}")))?;
        if got == 0 {
            return Ok(None);
        }
        if got < header.len() {
            return Err(self.error(
                start,
                "the capture ends inside a block header (truncated file?)",
            ));
        }
        self.count += 1;
        let [k0, k1, k2, k3, l0, l1, l2, l3] = header;
        let kind = u32::from_le_bytes([k0, k1, k2, k3]);
        let total = u32::from_le_bytes([l0, l1, l2, l3]);
        let limit = match kind {
            k if EV.contains(&k) || EVF.contains(&k) => {
                if k == 0x221 || k == 0x222 {
                    MAX_LARGE_EVENT_BLOCK
                } else {
                    MAX_EVENT_BLOCK + 12
                }
            }
            _ => MAX_METADATA_BLOCK,
        };
        if total < 12 {
            return Err(self.error(
                start,
                format!(
                    "block of type {kind:#x} has length {total}, less than its header and trailer"
                ),
            ));
        }
        if total > limit {
            return Err(self.error(
                start,
                format!("block of type {kind:#x} has length {total}, more than the limit of {limit} bytes"),
            ));
        }
        // Read the rest (body, padding, trailer) without trusting the length for the
        // allocation: the buffer grows only as bytes actually arrive.
        let rest = u64::from(total) - 8;
        self.body.clear();
        let read = (&mut self.input)
            .take(rest)
            .read_to_end(&mut self.body)
            .map_err(|e| self.error(start, format!("cannot read the capture: {e}")))?;
        self.offset += 8 + read as u64;
        if (read as u64) < rest {
            return Err(self.error(
                start,
                format!("the capture ends inside a block of type {kind:#x} ({read} of {rest} bytes; truncated file?)"),
            ));
        }
        let body_len = self.body.len().saturating_sub(4);
        let trailer = self
            .body
            .get(body_len..)
            .and_then(|t| <[u8; 4]>::try_from(t).ok())
            .map(u32::from_le_bytes);
        let is_event = EV.contains(&kind) || EVF.contains(&kind);
        // libscap checks the trailer of metadata blocks only.
        if !is_event && trailer != Some(total) {
            return Err(self.error(
                start,
                format!("block of type {kind:#x}: the trailing length {} differs from the leading {total}", trailer.unwrap_or(0)),
            ));
        }
        Ok(Some(Block {
            kind,
            body: self.body.get(..body_len).unwrap_or(&[]),
            offset: start,
            number: self.count,
        }))
    }
}

/// Reads until `buf` is full or the input ends; the number of bytes read.
fn read_full(input: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(buf.get_mut(got..).unwrap_or(&mut [])) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Checks a section header block's body: a little-endian capture of a major version this
/// reader knows.
pub(crate) fn check_section_header(body: &[u8]) -> Result<(), String> {
    let mut c = crate::cursor::Cursor::new(body);
    let magic = c.u32()?;
    let major = c.u16()?;
    if magic == SHB_MAGIC_SWAPPED {
        return Err("the capture is big-endian, which is not supported".into());
    }
    if magic != SHB_MAGIC {
        return Err(format!(
            "invalid byte-order magic {magic:#x} in the section header"
        ));
    }
    if major > MAJOR_VERSION {
        return Err(format!(
            "capture format version {major} is newer than this reader's ({MAJOR_VERSION})"
        ));
    }
    Ok(())
}
