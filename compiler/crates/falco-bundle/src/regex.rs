//! How the pattern of a `regex` check is compiled, as part of the format: anchored at
//! both ends (Falco's `regex` matches the whole value, as RE2's `FullMatch`) and
//! within [`REGEX_SIZE_LIMIT`]. The compiler's type checker compiles every pattern
//! this way before the VM does, so a pattern lint accepts is one the VM loads.

/// The most memory one compiled pattern may take (the `regex` crate's `size_limit`,
/// whose default is 10 MiB). RE2, which Falco uses, takes patterns that need up to
/// about 32 MiB here: 25 times `[^a]{1000}` (250 bytes, near Falco's 255-byte limit
/// for a value) compiles within it.
pub const REGEX_SIZE_LIMIT: usize = 32 << 20;

/// The pattern a `regex` check compiles: `pattern` (in the `regex` crate's dialect)
/// anchored at both ends.
pub fn anchored_regex(pattern: &str) -> String {
    format!("^(?:{pattern})$")
}
