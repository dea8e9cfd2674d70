mod conformance;
mod corpus;
mod docs;
mod reload;
mod units;

use super::*;
use falco_diagnostics::Code;

/// Loads `text` as file 0.
fn load(text: &str) -> LoadedFile {
    load_file(FileId(0), text)
}

/// The codes of a load, in order.
fn codes(loaded: &LoadedFile) -> Vec<Code> {
    loaded.diagnostics.iter().map(|d| d.code).collect()
}

/// `<repo>/../shared`, where the test corpus lives.
fn shared() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared")
}
