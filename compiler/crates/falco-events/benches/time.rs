//! Time texts: what replay pays per event and per alert for times. Parsing an RFC 3339
//! time (every k8s audit event, and syscall events that write `ts` as text) and
//! writing the clock layouts an alert carries (`evt.time`, `evt.datetime`,
//! `evt.time.iso8601`).
//!
//! Run with `cargo bench -p falco-events --bench time [-- --rounds N]`; best and
//! median per 100,000 calls. To compare two builds, copy each build's bench binary and
//! run them in turn. Not a timed test: it only measures.

use std::hint::black_box;
use std::time::{Duration, Instant};

use falco_events::{parse_rfc3339, write_clock, write_iso8601};

const CALLS: u64 = 100_000;

fn main() {
    let rounds = std::env::args()
        .skip_while(|arg| arg != "--rounds")
        .nth(1)
        .and_then(|value| value.parse().ok())
        .unwrap_or(30usize);
    // Times spread over 2018-2027 with varied nanoseconds, as texts in the layouts
    // events use: UTC with microseconds (k8s audit), and an offset with nanoseconds.
    let times: Vec<u64> = (0..CALLS)
        .map(|i| 1_514_764_800_000_000_000 + i * 3_155_692_597_123)
        .collect();
    let texts: Vec<String> = times
        .iter()
        .enumerate()
        .map(|(i, ts)| {
            let mut text = String::new();
            write_iso8601(*ts, &mut text);
            // `…nnnnnnnnn+0000` → `…uuuuuuZ` or `…nnnnnnnnn+00:00`.
            let (head, _) = text.split_at(text.len() - 5);
            if i % 2 == 0 {
                format!("{}Z", &head[..head.len() - 3])
            } else {
                format!("{head}+00:00")
            }
        })
        .collect();
    let (mut parse, mut clocks) = (Vec::new(), Vec::new());
    let mut out = String::with_capacity(64);
    for _ in 0..rounds {
        let start = Instant::now();
        for text in &texts {
            black_box(parse_rfc3339(black_box(text)));
        }
        parse.push(start.elapsed());
        let start = Instant::now();
        for ts in &times {
            out.clear();
            write_clock(black_box(*ts), false, true, &mut out);
            write_clock(black_box(*ts), true, true, &mut out);
            write_iso8601(black_box(*ts), &mut out);
            black_box(&out);
        }
        clocks.push(start.elapsed());
    }
    report("parse_rfc3339", &mut parse);
    report("evt.time + evt.datetime + evt.time.iso8601", &mut clocks);
}

fn report(name: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |duration: Duration| duration.as_secs_f64() * 1e3;
    println!(
        "{name:<45} per {CALLS} calls: best {:7.3} ms   median {:7.3} ms",
        ms(times[0]),
        ms(times[times.len() / 2])
    );
}
