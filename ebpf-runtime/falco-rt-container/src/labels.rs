//! Container labels as the container plugin keeps them.

/// Labels whose value is longer than this are left out (the plugin's default
/// `label_max_len`).
pub const LABEL_MAX_LEN: usize = 100;

/// `labels` without the ones whose value is too long, sorted by name.
pub fn kept_labels(labels: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = labels
        .into_iter()
        .filter(|(_, v)| v.len() <= LABEL_MAX_LEN)
        .collect();
    kept.sort();
    kept
}
