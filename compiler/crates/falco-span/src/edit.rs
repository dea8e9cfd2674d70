//! What an edit changed in a text: the bytes between the unchanged start and end.

/// Bytes compared at once before the byte-wise tail (a slice comparison is a
/// `memcmp`).
const CHUNK: usize = 64;

/// The lengths of the longest common start and end of `old` and `new`, with the
/// end no longer than what the start leaves of the shorter one: the edit replaced
/// `old[start..old.len() - end]` by `new[start..new.len() - end]`.
pub fn common_ends(old: &[u8], new: &[u8]) -> (usize, usize) {
    let start = common_prefix(old, new);
    let end = common_suffix(&old[start..], &new[start..]);
    (start, end)
}

/// The length of the common start of `a` and `b`.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let len = a.len().min(b.len());
    let mut at = 0;
    while at + CHUNK <= len && a[at..at + CHUNK] == b[at..at + CHUNK] {
        at += CHUNK;
    }
    at + a[at..len]
        .iter()
        .zip(&b[at..len])
        .take_while(|(x, y)| x == y)
        .count()
}

/// The length of the common end of `a` and `b`.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let len = a.len().min(b.len());
    let (a, b) = (&a[a.len() - len..], &b[b.len() - len..]);
    let mut matched = 0;
    while matched + CHUNK <= len
        && a[len - matched - CHUNK..len - matched] == b[len - matched - CHUNK..len - matched]
    {
        matched += CHUNK;
    }
    matched
        + a[..len - matched]
            .iter()
            .rev()
            .zip(b[..len - matched].iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
}
