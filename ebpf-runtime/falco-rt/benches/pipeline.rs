//! The agent's user-space path per record, on one core, without the kernel.
//!
//! ```sh
//! cargo bench -p falco-rt --bench pipeline -- [--iters N] [--reps R]
//! ```
//!
//! Encodes the records an open/close storm produces (an `openat` of one file and the
//! `close` of its descriptor, by a process whose parent and grandparent the state knows),
//! then hands them to the agent's per-record steps in a loop, as `falco-rt` does with what
//! it drains from the ring: decode, state update, event building for the types the
//! stdlib bundle wants, rule evaluation. Prints records and evaluated events per second
//! of this thread's CPU time: what one core can evaluate, whatever a loaded machine
//! lets the producers deliver.

#[path = "../tests/support/mod.rs"]
mod support;

use std::mem::{offset_of, size_of};

use falco_rt::rules::Wanted;
use falco_rt_enrich::Enricher;
use falco_rt_record::layout::{RtHeader, RtSyscall};
use falco_rt_record::syscalls::nr;
use falco_rt_record::{Kind, RECORD_VERSION};
use falco_rt_state::{Process, State, UserDb};
use falco_vm::Engine;
use rustix::time::{ClockId, clock_gettime};

const PID: u32 = 4242;

fn thread_cpu_ns() -> u64 {
    let t = clock_gettime(ClockId::ThreadCPUTime);
    u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(t.tv_nsec).unwrap_or(0)
}

fn put(b: &mut [u8], off: usize, v: &[u8]) {
    b[off..off + v.len()].copy_from_slice(v);
}

/// One syscall record as the eBPF program writes it.
fn record(nr: u32, ret: i64, args: [u64; 6], path: Option<&[u8]>) -> Vec<u8> {
    let s0 = path.map(|p| [p, b"\0"].concat()).unwrap_or_default();
    let mut b = vec![0u8; size_of::<RtSyscall>() + s0.len()];
    let size = b.len() as u32;
    put(
        &mut b,
        offset_of!(RtHeader, ts_boot_ns),
        &1_000u64.to_le_bytes(),
    );
    put(
        &mut b,
        offset_of!(RtHeader, kind),
        &(Kind::Syscall as u16).to_le_bytes(),
    );
    put(
        &mut b,
        offset_of!(RtHeader, version),
        &RECORD_VERSION.to_le_bytes(),
    );
    put(&mut b, offset_of!(RtHeader, size), &size.to_le_bytes());
    put(&mut b, offset_of!(RtHeader, tgid), &PID.to_le_bytes());
    put(&mut b, offset_of!(RtHeader, tid), &PID.to_le_bytes());
    put(&mut b, offset_of!(RtHeader, uid), &1000u32.to_le_bytes());
    put(&mut b, offset_of!(RtHeader, gid), &1000u32.to_le_bytes());
    put(&mut b, offset_of!(RtHeader, comm), b"agent-bench");
    put(&mut b, offset_of!(RtSyscall, ret), &ret.to_le_bytes());
    for (i, a) in args.iter().enumerate() {
        put(
            &mut b,
            offset_of!(RtSyscall, args) + 8 * i,
            &a.to_le_bytes(),
        );
    }
    put(&mut b, offset_of!(RtSyscall, nr), &nr.to_le_bytes());
    put(
        &mut b,
        offset_of!(RtSyscall, str0_len),
        &(s0.len() as u16).to_le_bytes(),
    );
    put(&mut b, size_of::<RtSyscall>(), &s0);
    b
}

fn process(pid: u32, ppid: u32, name: &str, exepath: &str, args: &[&str]) -> Process {
    Process {
        pid,
        ppid,
        sid: 1,
        vpid: pid,
        name: name.into(),
        exe: name.into(),
        exepath: exepath.into(),
        args: args.iter().map(|a| (*a).to_string()).collect(),
        cwd: "/home/alice/".into(),
        uid: 1000,
        gid: 1000,
        loginuid: 1000,
        ..Process::default()
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let iters = support::bench_arg(&args, "--iters", 1_000_000);
    let reps = support::bench_arg(&args, "--reps", 3);
    let engine = Engine::load(support::stdlib_bundle()).expect("stdlib bundle");
    let wanted = Wanted::of(&engine);
    let path = b"/tmp/falco-rt-bench-file";
    let open = record(
        nr::OPENAT,
        3,
        [(-100i64) as u64, 0, 0o2000000, 0, 0, 0],
        Some(path),
    );
    let close = record(nr::CLOSE, 0, [3, 0, 0, 0, 0, 0], None);

    println!("falco-rt pipeline bench: {iters} open/close pairs, {reps} reps");
    println!("| rep | records | CPU ms | ns/record | records/s | evaluated/s | alerts |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for rep in 1..=reps {
        let users = UserDb::parse(
            "alice:x:1000:1000::/home/alice:/bin/bash\n",
            "alice:x:1000:\n",
        );
        let mut state = State::detached(users);
        state
            .procs
            .insert(process(1, 0, "systemd", "/usr/lib/systemd/systemd", &[]));
        state
            .procs
            .insert(process(900, 1, "bash", "/usr/bin/bash", &["-l"]));
        state.procs.insert(process(
            PID,
            900,
            "agent-bench",
            "/usr/bin/agent-bench",
            &["--storm"],
        ));
        let mut enricher = Enricher::new();
        let mut scratch = engine.scratch();
        let mut hits = Vec::new();
        let (mut evaluated, mut alerts) = (0u64, 0u64);
        let cpu0 = thread_cpu_ns();
        for i in 0..iters {
            for bytes in [&open, &close] {
                let Ok(rec) = falco_rt_record::decode(bytes) else {
                    panic!("record does not decode");
                };
                let ts = 1_700_000_000_000_000_000 + i;
                if let Some(mut ev) =
                    enricher.event(&mut state, &rec, ts, |t| wanted.contains(t), 0, 0)
                {
                    evaluated += 1;
                    ev.set_num(evaluated);
                    engine.matching_rules(&ev, &mut scratch, &mut hits);
                    alerts += hits.len() as u64;
                    enricher.recycle(ev);
                }
            }
        }
        let cpu = (thread_cpu_ns() - cpu0) as f64;
        let records = 2 * iters;
        println!(
            "| {rep} | {records} | {:.0} | {:.0} | {:.0} | {:.0} | {alerts} |",
            cpu / 1e6,
            cpu / records as f64,
            records as f64 / (cpu / 1e9),
            evaluated as f64 / (cpu / 1e9),
        );
    }
}
