//! Reading seeds out of the shared corpus.

use std::path::Path;

/// The largest seed the rules-file targets start from: libFuzzer's inputs stay
/// small enough to run thousands of times a second.
pub const MAX_SEED_BYTES: usize = 4096;

/// The texts of the files in `dir` whose names end with one of `extensions`,
/// sorted by name (a missing folder has none).
pub fn texts(dir: &Path, extensions: &[&str]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .and_then(|ext| ext.to_str())
                .is_some_and(|ext| extensions.contains(&ext))
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect()
}

/// The rules files of the corpus's rules folders.
pub fn rules_files(corpus: &Path) -> Vec<String> {
    [
        "upstream-rules",
        "upstream-rules/archive",
        "upstream-rules-2021",
        "plugin-rules",
        "k8s-audit-events/rules",
    ]
    .iter()
    .flat_map(|dir| texts(&corpus.join(dir), &["yaml", "yml"]))
    .collect()
}

/// `text` cut at top-level items (lines starting with `- `) into pieces of at most
/// [`MAX_SEED_BYTES`] (an item longer than that is a piece of its own, cut short).
pub fn item_chunks(text: &str) -> Vec<String> {
    let mut starts: Vec<usize> = text.match_indices("\n- ").map(|(at, _)| at + 1).collect();
    starts.insert(0, 0);
    starts.push(text.len());
    let mut chunks = Vec::new();
    let mut chunk = String::new();
    for pair in starts.windows(2) {
        let item = &text[pair[0]..pair[1]];
        if !chunk.is_empty() && chunk.len() + item.len() > MAX_SEED_BYTES {
            chunks.push(std::mem::take(&mut chunk));
        }
        chunk.push_str(item);
        if chunk.len() > MAX_SEED_BYTES {
            let mut end = MAX_SEED_BYTES;
            while !chunk.is_char_boundary(end) {
                end -= 1;
            }
            chunk.truncate(end);
            chunks.push(std::mem::take(&mut chunk));
        }
    }
    if !chunk.is_empty() {
        chunks.push(chunk);
    }
    chunks
}
