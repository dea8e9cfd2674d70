//! Embeds the default ruleset (`rules-stdlib/rules/*.yaml`, in name order) so that
//! `falco-rulec lint` with no arguments works from any directory.

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules = manifest.join("../rules-stdlib/rules");
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut entries: Vec<(String, PathBuf)> = fs::read_dir(&rules)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.is_file())
                .filter(|path| {
                    path.extension()
                        .is_some_and(|ext| ext == "yaml" || ext == "yml")
                })
                .filter_map(|path| {
                    let name = path.file_name()?.to_str()?.to_owned();
                    Some((name, path))
                })
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    let mut out = String::from(
        "/// The default rules files: (display path, text), in load order.\n\
         pub(crate) static DEFAULT_RULES: &[(&str, &str)] = &[\n",
    );
    for (name, path) in &entries {
        println!("cargo:rerun-if-changed={}", path.display());
        let shown = format!("rules-stdlib/rules/{name}");
        out.push_str(&format!(
            "    ({shown:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out_dir.join("default_rules.rs"), out).expect("OUT_DIR is writable");
}
