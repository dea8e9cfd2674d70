//! Embeds every `docs/codes/<CODE>.md` so `falco-rulec explain` and the LSP can show it.
//! A missing doc is not a build error: the registry's tidy test reports it.

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let docs = manifest.join("../../../docs/codes");
    println!("cargo:rerun-if-changed={}", docs.display());
    let mut entries: Vec<(String, PathBuf)> = fs::read_dir(&docs)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
                .map(|path| {
                    (
                        path.file_stem().unwrap().to_string_lossy().into_owned(),
                        path,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    let mut out = String::from(
        "/// Docs of the codes, by code, sorted.\npub(crate) static CODE_DOCS: &[(&str, &str)] = &[\n",
    );
    for (code, path) in &entries {
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    ({code:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    fs::write(out_dir.join("code_docs.rs"), out).unwrap();
}
