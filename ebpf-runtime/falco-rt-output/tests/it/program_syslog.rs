//! The program and syslog outputs against real receivers: `/bin/sh` commands, and a
//! Unix datagram socket standing in for the syslog daemon's `/dev/log`.

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::Duration;

use falco_rt_output::{Alert, Outputs, OutputsConfig, ProgramOutput, SyslogOutput};

fn alert(n: u32, severity: u8) -> Alert {
    Alert {
        rule: format!("R{n}"),
        priority: "Warning".into(),
        severity,
        time_ns: 1_700_000_000_000_000_000,
        text: format!("22:13:20.000000000: Warning alert {n}"),
        json: format!(r#"{{"rule":"R{n}"}}"#),
    }
}

/// A scratch directory removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let p = std::env::temp_dir().join(format!("falco-rt-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        Dir(p)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn only(program: Option<ProgramOutput>, syslog: Option<SyslogOutput>) -> OutputsConfig {
    OutputsConfig {
        stdout: false,
        program,
        syslog,
        ..OutputsConfig::default()
    }
}

#[test]
fn a_kept_alive_program_gets_every_alert_in_order() {
    let dir = Dir::new("program-keep");
    let file = dir.0.join("got.txt");
    let command = format!("echo started >> {0}; cat >> {0}", file.display());
    let out = Outputs::start(&only(Some(ProgramOutput::new(command, true)), None)).expect("start");
    for n in 1..=3 {
        out.emit(alert(n, 4));
    }
    let stats = out.shutdown(Duration::from_secs(10));
    let got = std::fs::read_to_string(&file).expect("the program wrote");
    assert_eq!(
        got,
        "started\n22:13:20.000000000: Warning alert 1\n22:13:20.000000000: Warning alert 2\n22:13:20.000000000: Warning alert 3\n"
    );
    assert_eq!((stats.program_sent, stats.undelivered()), (3, 0));
}

#[test]
fn without_keep_alive_the_program_runs_once_per_alert() {
    let dir = Dir::new("program-each");
    let file = dir.0.join("got.txt");
    let command = format!("echo started >> {0}; cat >> {0}", file.display());
    let cfg = OutputsConfig {
        json_output: true,
        ..only(Some(ProgramOutput::new(command, false)), None)
    };
    let out = Outputs::start(&cfg).expect("start");
    out.emit(alert(1, 4));
    out.emit(alert(2, 4));
    let stats = out.shutdown(Duration::from_secs(10));
    let got = std::fs::read_to_string(&file).expect("the program wrote");
    assert_eq!(
        got,
        "started\n{\"rule\":\"R1\"}\nstarted\n{\"rule\":\"R2\"}\n"
    );
    assert_eq!(stats.program_sent, 2);
}

#[test]
fn a_program_that_never_exits_does_not_hold_shutdown() {
    let dir = Dir::new("program-stuck");
    let pid_file = dir.0.join("pid");
    let command = format!("echo $$ > {}; sleep 1000", pid_file.display());
    let out = Outputs::start(&only(Some(ProgramOutput::new(command, false)), None)).expect("start");
    out.emit(alert(1, 4));
    // Shutdown kills the program's whole process group once its grace has passed,
    // instead of waiting forever.
    let stats = out.shutdown(Duration::from_millis(200));
    assert_eq!(stats.program_sent, 1);
    let group = std::fs::read_to_string(&pid_file).expect("the shell ran");
    let alive = || {
        std::process::Command::new("kill")
            .args(["-0", "--", &format!("-{}", group.trim())])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let end = std::time::Instant::now() + Duration::from_secs(10);
    while alive() && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!alive(), "the program's `sleep` outlived the agent");
}

#[test]
fn syslog_gets_the_line_with_facility_user_and_the_priority_as_severity() {
    let dir = Dir::new("syslog");
    let socket = dir.0.join("log");
    let daemon = UnixDatagram::bind(&socket).expect("bind");
    daemon
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let syslog = SyslogOutput {
        socket: socket.clone(),
        ..SyslogOutput::default()
    };
    let out = Outputs::start(&only(None, Some(syslog))).expect("start");
    out.emit(alert(1, 4));
    out.emit(alert(2, 0));
    let mut buf = [0u8; 4096];
    let mut got = Vec::new();
    for _ in 0..2 {
        let n = daemon.recv(&mut buf).expect("a datagram");
        got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    let stats = out.shutdown(Duration::from_secs(2));
    // PRI = facility user (1) * 8 + severity: Warning 4, Emergency 0.
    assert!(got[0].starts_with("<12>"), "{}", got[0]);
    assert!(
        got[0].ends_with(": 22:13:20.000000000: Warning alert 1"),
        "{}",
        got[0]
    );
    assert!(got[1].starts_with("<8>"), "{}", got[1]);
    assert_eq!((stats.syslog_sent, stats.undelivered()), (2, 0));
}

#[test]
fn syslog_without_a_daemon_is_counted_undelivered() {
    let dir = Dir::new("syslog-none");
    let syslog = SyslogOutput {
        socket: dir.0.join("no-daemon"),
        ..SyslogOutput::default()
    };
    let out = Outputs::start(&only(None, Some(syslog))).expect("start");
    out.emit(alert(1, 4));
    let stats = out.shutdown(Duration::from_secs(2));
    assert_eq!(
        (stats.syslog_sent, stats.syslog_failed, stats.undelivered()),
        (0, 1, 1)
    );
}
