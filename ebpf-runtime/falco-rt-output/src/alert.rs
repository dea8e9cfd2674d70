//! An alert as the outputs see it: already rendered.

/// One alert, rendered once by the engine in both forms the outputs need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// The rule name.
    pub rule: String,
    /// The priority as Falco prints it (`Warning`, `Critical`).
    pub priority: String,
    /// The priority as a syslog severity: 0 for Emergency to 7 for Debug.
    pub severity: u8,
    /// Event time, nanoseconds since the Unix epoch.
    pub time_ns: u64,
    /// The text line (`HH:MM:SS.nnnnnnnnn: Priority output`), without a newline.
    pub text: String,
    /// The JSON object Falco writes with `json_output: true` and posts to `http_output`.
    pub json: String,
}
