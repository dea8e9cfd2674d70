//! `fuzz-seed TARGET DIR`: writes the target's seeds (its hand-made ones from
//! `fuzz/seeds/TARGET/` and those taken from the shared corpus) into DIR, one file
//! per seed named by its content's hash. `scripts/fuzz` runs it before a campaign.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, dir] = args.as_slice() else {
        eprintln!("usage: fuzz-seed TARGET DIR");
        return ExitCode::from(2);
    };
    let Some(target) = falco_rulec_fuzz::target(name) else {
        let names: Vec<&str> = falco_rulec_fuzz::TARGETS.iter().map(|t| t.name).collect();
        eprintln!(
            "fuzz-seed: no target `{name}` (targets: {})",
            names.join(", ")
        );
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    if let Err(error) = std::fs::create_dir_all(&dir) {
        eprintln!("fuzz-seed: {}: {error}", dir.display());
        return ExitCode::from(2);
    }
    let mut seeds = (target.seeds)(&falco_rulec_fuzz::corpus_dir());
    seeds.extend(
        falco_rulec_fuzz::saved_inputs(name, &["seeds"])
            .into_iter()
            .map(|(_, bytes)| bytes),
    );
    for seed in &seeds {
        let mut hasher = DefaultHasher::new();
        seed.hash(&mut hasher);
        let path = dir.join(format!("seed-{:016x}", hasher.finish()));
        if let Err(error) = std::fs::write(&path, seed) {
            eprintln!("fuzz-seed: {}: {error}", path.display());
            return ExitCode::from(2);
        }
    }
    println!(
        "fuzz-seed: {} seeds for `{name}` in {}",
        seeds.len(),
        dir.display()
    );
    ExitCode::SUCCESS
}
