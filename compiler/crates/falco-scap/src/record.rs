//! Event records: an event block's CPU number, flags and record header, and where each
//! parameter's bytes are, checked against the block.

use falco_schema::{EventCode, EventFlags};

use crate::block::{EV, EVF};
use crate::cursor::Cursor;

/// One event record of an event block.
#[derive(Debug, Default)]
pub(crate) struct Record {
    pub(crate) cpu: u16,
    pub(crate) ts: u64,
    pub(crate) tid: i64,
    pub(crate) code: u16,
    /// `(start, length)` of each parameter in the block body.
    pub(crate) params: Vec<(usize, usize)>,
}

/// Why a record was not read.
#[derive(Debug)]
pub(crate) enum Skip {
    /// A code the event table does not know (a newer capture); skipped and counted.
    UnknownCode,
    /// A malformed record.
    Bad(String),
}

/// Reads the record of an event block of type `kind` into `out`.
pub(crate) fn read(kind: u32, body: &[u8], out: &mut Record) -> Result<(), Skip> {
    let bad = Skip::Bad;
    let mut c = Cursor::new(body);
    out.cpu = c.u16().map_err(bad)?;
    if EVF.contains(&kind) {
        c.u32().map_err(bad)?;
    }
    let start = c.pos();
    out.ts = c.u64().map_err(bad)?;
    out.tid = c.i64().map_err(bad)?;
    let len = c.u32().map_err(bad)? as usize;
    out.code = c.u16().map_err(bad)?;
    let Some(info) = falco_schema::Schema::get().event_code(out.code) else {
        return Err(Skip::UnknownCode);
    };
    // V1 blocks have no parameter count in the header (and a 4-byte shorter one).
    let v1 = kind == EV[0] || kind == EV[1] || kind == EVF[0];
    let header = if v1 { 22 } else { 26 };
    let end = start
        .checked_add(len)
        .filter(|&e| e <= body.len() && len >= header);
    let Some(end) = end else {
        return Err(Skip::Bad(format!(
            "event length {len} does not fit its block of {} bytes",
            body.len().saturating_sub(start)
        )));
    };
    let record = body.get(..end).unwrap_or(&[]);
    let wide = info.flags.has(EventFlags::LARGE_PAYLOAD);
    let nparams = if v1 {
        v1_param_count(record, start + header, info).ok_or_else(|| {
            Skip::Bad("cannot tell the number of parameters of an old event record".into())
        })?
    } else {
        c.u32().map_err(bad)? as usize
    };
    if nparams > info.params.len() {
        return Err(Skip::Bad(format!(
            "{} parameters, but `{}` has {}",
            nparams,
            info.id,
            info.params.len()
        )));
    }
    let mut c = Cursor::new(record);
    c.skip(start + header).map_err(bad)?;
    out.params.clear();
    for _ in 0..nparams {
        let len = if wide {
            c.u32().map_err(bad)? as usize
        } else {
            usize::from(c.u16().map_err(bad)?)
        };
        out.params.push((0, len));
    }
    for (i, param) in out.params.iter_mut().enumerate() {
        param.0 = c.pos();
        c.skip(param.1)
            .map_err(|e| Skip::Bad(format!("parameter {}: {e}", i + 1)))?;
    }
    Ok(())
}

/// libscap's rule for old records: the largest count, from the table's down, whose
/// 16-bit lengths add up exactly to the record's end.
fn v1_param_count(record: &[u8], lens_at: usize, info: &EventCode) -> Option<usize> {
    let end = record.len();
    (0..=info.params.len()).rev().find(|&n| {
        let values_at = lens_at + 2 * n;
        if values_at > end {
            return false;
        }
        let mut c = Cursor::new(record);
        if c.skip(lens_at).is_err() {
            return false;
        }
        let mut total = values_at;
        for _ in 0..n {
            match c.u16() {
                Ok(l) => total += usize::from(l),
                Err(_) => return false,
            }
        }
        total == end
    })
}
