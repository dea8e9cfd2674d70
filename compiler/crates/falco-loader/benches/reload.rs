//! Reload speed: loading `falco_rules.yaml` whole against reloading it after a
//! one-byte edit inside a condition (what the language server does per keystroke).
//!
//! Run with `cargo bench -p falco-loader --bench reload [-- --rounds N]`. Each
//! round times both, alternately breaking the field `proc.name` and restoring it,
//! so that machine noise hits both alike; prints best and median per load. Not a
//! timed test: it only measures.

use std::hint::black_box;
use std::time::{Duration, Instant};

use falco_loader::{Reload, load_file, load_indexed, reload};
use falco_span::FileId;

fn main() {
    let rounds = std::env::args()
        .skip_while(|arg| arg != "--rounds")
        .nth(1)
        .and_then(|value| value.parse().ok())
        .unwrap_or(400usize);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/corpus/upstream-rules/falco_rules.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (is ../shared beside the repository?)",
            path.display()
        )
    });
    let at = text
        .find("(proc.name in (shell_binaries))")
        .expect("the anchor is in falco_rules.yaml")
        + 10;
    let broken = format!("{}x{}", &text[..at], &text[at..]);
    let file = FileId(0);
    let (mut loaded, mut index) = load_indexed(file, &text);
    let (mut whole, mut indexed, mut piecewise) = (Vec::new(), Vec::new(), Vec::new());
    let mut current = text.as_str();
    for round in 0..rounds {
        let next = if round % 2 == 0 { &broken } else { &text };
        let start = Instant::now();
        drop(black_box(load_file(file, next)));
        whole.push(start.elapsed());
        let start = Instant::now();
        drop(black_box(load_indexed(file, next)));
        indexed.push(start.elapsed());
        let start = Instant::now();
        let how = reload(current, &mut loaded, &mut index, next);
        piecewise.push(start.elapsed());
        assert_eq!(how, Reload::Piecewise, "round {round}");
        current = next;
    }
    report("load_file (whole file)", &mut whole);
    report("load_indexed (whole file, with index)", &mut indexed);
    report("reload after a one-byte edit", &mut piecewise);
}

fn report(name: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |duration: Duration| duration.as_secs_f64() * 1e3;
    println!(
        "{name:<40} best {:8.3} ms   median {:8.3} ms",
        ms(times[0]),
        ms(times[times.len() / 2])
    );
}
