//! Suggestion speed: `did_you_mean` (`strsim::levenshtein` after a cutoff by length
//! difference) against `strsim::levenshtein` on every candidate,
//! on the two workloads that call it most: the words of `falco_rules.yaml`'s lists
//! against its list and macro names (W406 and undefined-macro help, once per word),
//! and one typo of every syscall field against all syscall fields (E401 help).
//!
//! Run with `cargo bench -p falco-diagnostics --bench did_you_mean [-- --rounds N]`.
//! The variants alternate within each round so that machine noise hits them alike;
//! every variant must give the same suggestions. Prints best and median per
//! workload. Not a timed test: it only measures.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use falco_diagnostics::did_you_mean;

/// A suggester: the nearest candidate to a name, as `did_you_mean` defines it.
type Suggest = for<'a> fn(&str, &[&'a str]) -> Option<&'a str>;

fn main() {
    let rounds = std::env::args()
        .skip_while(|arg| arg != "--rounds")
        .nth(1)
        .and_then(|value| value.parse().ok())
        .unwrap_or(50usize);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let rules = read(&root.join("../shared/corpus/upstream-rules/falco_rules.yaml"));
    let schema = read(&root.join("rules-stdlib/schema/syscall.json"));
    let names: Vec<&str> = rules
        .lines()
        .filter_map(|line| {
            line.strip_prefix("- list: ")
                .or_else(|| line.strip_prefix("- macro: "))
        })
        .map(str::trim)
        .collect();
    let words: Vec<&str> = rules
        .lines()
        .filter_map(|line| line.trim().strip_prefix("items: ["))
        .flat_map(|items| items.trim_end_matches(']').split(','))
        .map(|word| word.trim().trim_matches(|c| c == '"' || c == '\''))
        .filter(|word| !word.is_empty())
        .collect();
    let fields: Vec<&str> = schema
        .lines()
        .filter_map(|line| line.trim().strip_prefix("\"name\": \""))
        .map(|rest| rest.trim_end_matches(['"', ',']))
        .collect();
    // One typo per field: its last two characters swapped.
    let typos: Vec<String> = fields
        .iter()
        .map(|field| {
            let mut chars: Vec<char> = field.chars().collect();
            let n = chars.len();
            chars.swap(n - 1, n - 2);
            chars.into_iter().collect()
        })
        .collect();
    let typos: Vec<&str> = typos.iter().map(String::as_str).collect();
    println!(
        "{} list words against {} list and macro names; {} field typos against {} fields",
        words.len(),
        names.len(),
        typos.len(),
        fields.len()
    );
    let variants: [(&str, Suggest); 2] = [
        ("did_you_mean", |name, candidates| {
            did_you_mean(name, candidates.iter().copied())
        }),
        (
            "strsim::levenshtein, every candidate",
            strsim_every_candidate,
        ),
    ];
    for (workload, queries, candidates) in [
        ("list words", &words, &names),
        ("field typos", &typos, &fields),
    ] {
        let expected: Vec<Option<&str>> = queries
            .iter()
            .map(|query| variants[0].1(query, candidates))
            .collect();
        let mut times = vec![Vec::new(); variants.len()];
        for _ in 0..rounds {
            for ((name, suggest), times) in variants.iter().zip(&mut times) {
                let start = Instant::now();
                let found: Vec<Option<&str>> = queries
                    .iter()
                    .map(|query| suggest(black_box(query), black_box(candidates)))
                    .collect();
                times.push(start.elapsed());
                assert_eq!(found, expected, "{name} disagrees on {workload}");
            }
        }
        for ((name, _), times) in variants.iter().zip(&mut times) {
            report(&format!("{workload}: {name}"), times);
        }
    }
}

/// `did_you_mean`'s rule (the smallest distance within the name's limit, ties by
/// name, never the name itself) with the full distance to every candidate.
fn strsim_every_candidate<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    candidates
        .iter()
        .map(|candidate| (strsim::levenshtein(name, candidate), *candidate))
        .filter(|(distance, _)| (1..=limit).contains(distance))
        .min()
        .map(|(_, candidate)| candidate)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (is ../shared beside the repository?)",
            path.display()
        )
    })
}

fn report(name: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |duration: Duration| duration.as_secs_f64() * 1e3;
    println!(
        "{name:<55} best {:8.3} ms   median {:8.3} ms",
        ms(times[0]),
        ms(times[times.len() / 2])
    );
}
