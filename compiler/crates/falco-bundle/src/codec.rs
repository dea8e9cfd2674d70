//! Little-endian primitives: a writer, and a reader that never reads out of bounds and
//! never trusts a length field beyond the bytes that remain.

use crate::error::BundleError;

/// Appends primitives to a byte vector.
#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) out: Vec<u8>,
}

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    /// A length or count. Tables are far below 4 G entries; larger ones saturate and
    /// are then refused by the decoder.
    pub(crate) fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.out.extend_from_slice(b);
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
        }
    }

    pub(crate) fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        for &x in v {
            self.u32(x);
        }
    }

    pub(crate) fn strs(&mut self, v: &[String]) {
        self.len(v.len());
        for s in v {
            self.str(s);
        }
    }
}

/// Reads primitives from a byte slice.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8], pos: usize) -> Reader<'a> {
        Reader { data, pos }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> BundleError {
        BundleError::at(self.pos, message)
    }

    pub(crate) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], BundleError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.data.len())
            .ok_or_else(|| self.error(format!("truncated: {what} needs {n} bytes")))?;
        let slice = self.data.get(self.pos..end).unwrap_or_default();
        self.pos = end;
        Ok(slice)
    }

    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, BundleError> {
        Ok(self.take(1, what)?.first().copied().unwrap_or_default())
    }

    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, BundleError> {
        let b = self.take(4, what)?;
        let mut a = [0u8; 4];
        a.copy_from_slice(b);
        Ok(u32::from_le_bytes(a))
    }

    pub(crate) fn u64(&mut self, what: &str) -> Result<u64, BundleError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// A count of items that each take at least `min_size` bytes: refused when the
    /// remaining bytes cannot hold them, so a hostile count cannot cause a large
    /// allocation.
    pub(crate) fn count(&mut self, min_size: usize, what: &str) -> Result<usize, BundleError> {
        let at = self.pos;
        let n = self.u32(what)? as usize;
        if n.saturating_mul(min_size.max(1)) > self.remaining() {
            return Err(BundleError::at(
                at,
                format!("{what}: count {n} exceeds the remaining bytes"),
            ));
        }
        Ok(n)
    }

    pub(crate) fn bytes(&mut self, what: &str) -> Result<&'a [u8], BundleError> {
        let n = self.count(1, what)?;
        self.take(n, what)
    }

    pub(crate) fn str(&mut self, what: &str) -> Result<String, BundleError> {
        let at = self.pos;
        let b = self.bytes(what)?;
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| BundleError::at(at, format!("{what}: not UTF-8")))
    }

    pub(crate) fn opt_str(&mut self, what: &str) -> Result<Option<String>, BundleError> {
        match self.u8(what)? {
            0 => Ok(None),
            1 => self.str(what).map(Some),
            tag => Err(self.error(format!("{what}: bad option tag {tag}"))),
        }
    }

    pub(crate) fn u32s(&mut self, what: &str) -> Result<Vec<u32>, BundleError> {
        let n = self.count(4, what)?;
        (0..n).map(|_| self.u32(what)).collect()
    }

    pub(crate) fn strs(&mut self, what: &str) -> Result<Vec<String>, BundleError> {
        let n = self.count(4, what)?;
        (0..n).map(|_| self.str(what)).collect()
    }
}
