use crate::syscalls::*;

#[test]
fn syscall_names_round_trip() {
    assert_eq!(number("openat"), Some(257));
    assert_eq!(number("execve"), Some(59));
    assert_eq!(number("openat2"), Some(437));
    assert_eq!(number("fchmodat2"), Some(452));
    assert_eq!(name(257), Some("openat"));
    assert_eq!(name(100_000), None);
    assert!(
        X86_64.windows(2).all(|w| w[0].1 < w[1].1),
        "table must be sorted by number"
    );
    for (n, nr) in X86_64 {
        assert_eq!(number(n), Some(*nr));
        assert!(
            *nr < falco_rt_record::MAX_SYSCALLS,
            "{n} = {nr} is past the interest map"
        );
    }
    for n in STATE_SYSCALLS {
        assert!(number(n).is_some(), "{n}");
    }
}

#[test]
fn resolve_sorts_dedups_and_rejects_unknown_names() {
    assert_eq!(
        resolve(&["openat", "close", "openat"]).ok(),
        Some(vec![3, 257])
    );
    let err = resolve(&["openat", "opne"]).err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("unknown syscall `opne` (not an x86_64 syscall name)")
    );
}

#[test]
fn boot_clock_maps_to_now() {
    let clock = crate::BootClock::now();
    let boot = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
    let boot_ns = boot.tv_sec as u64 * 1_000_000_000 + boot.tv_nsec as u64;
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mapped = clock.to_unix_ns(boot_ns);
    assert!(mapped.abs_diff(unix) < 1_000_000_000, "{mapped} vs {unix}");
}

#[test]
fn exit_events_follow_the_kernel_names() {
    let dir = std::env::temp_dir().join(format!("falco-rt-tracefs-{}", std::process::id()));
    for event in ["sys_exit_openat", "sys_exit_newstat", "sys_exit_umount"] {
        let d = dir.join("events/syscalls").join(event);
        std::fs::create_dir_all(&d).expect("event dir");
        std::fs::write(d.join("id"), "1\n").expect("id");
    }
    let event = |name| crate::tracefs::exit_event(&dir, name);
    assert_eq!(event("openat").as_deref(), Some("sys_exit_openat"));
    assert_eq!(event("stat").as_deref(), Some("sys_exit_newstat"));
    assert_eq!(event("umount2").as_deref(), Some("sys_exit_umount"));
    assert_eq!(event("close"), None, "no event directory");
    assert_eq!(event("tuxcall"), None);
    let _ = std::fs::remove_dir_all(&dir);
}
