//! Syscall JSON-lines reading and fields.

use crate::{Event, Extractor, FieldValue, OwnedValue, Scratch, read_syscall, supported};

const SYS: &str = "syscall";

fn one(line: &str) -> Event {
    let line = line.replace('\n', " ");
    let mut r = read_syscall(&line);
    assert_eq!(r.len(), 1);
    r.remove(0).unwrap_or_else(|e| panic!("{e}"))
}

fn t(ev: &Event, field: &str) -> String {
    super::text(SYS, field, ev)
}

pub(super) const EXEC: &str = r#"{"ts":"2024-05-01T10:00:00.000000123Z","type":"execve","res":0,
 "args":{"exe":"/bin/bash","args":"-i"},
 "thread":{"tid":4242,"pid":4242,"vpid":7,"ppid":4200,"sid":4200,"vpgid":4242,"tty":34816,"loginuid":-1,
   "uid":0,"gid":0,"user":"root","group":"root","homedir":"/root","shell":"/bin/bash",
   "exe":"bash","exepath":"/usr/bin/bash","args":["-i"],"cwd":"/root/","env":["HOME=/root","TERM=xterm"],
   "start_ts":1714557599000000000,"cap_effective":"CAP_CHOWN CAP_KILL"},
 "ancestors":[{"pid":4200,"vpid":1,"sid":4200,"name":"containerd-shim","exe":"containerd-shim","exepath":"/usr/bin/containerd-shim","args":["-namespace","moby"]},
              {"pid":1,"name":"systemd","exepath":"/usr/lib/systemd/systemd"}],
 "container":{"id":"0123456789ab","name":"web","image":"registry:5000/library/nginx:1.25@sha256:abcd","privileged":true,
   "labels":{"app":"web"},"mounts":[{"source":"/var/run/docker.sock","dest":"/var/run/docker.sock","mode":"","rdwr":true,"propagation":"rprivate"}]},
 "k8s":{"pod_name":"web-1","ns_name":"prod","pod_labels":{"tier":"front"}}}"#;

#[test]
fn exec_event_process_fields() {
    let line = EXEC.replace('\n', "");
    let ev = one(&line);
    assert_eq!(ev.event_type(), Some("execve"));
    assert_eq!(t(&ev, "evt.type"), "execve");
    assert_eq!(t(&ev, "evt.dir"), "<");
    assert_eq!(t(&ev, "evt.res"), "SUCCESS");
    assert_eq!(t(&ev, "evt.failed"), "false");
    assert_eq!(t(&ev, "evt.time"), "10:00:00.000000123");
    assert_eq!(t(&ev, "evt.category"), "process");
    assert_eq!(t(&ev, "proc.name"), "bash");
    assert_eq!(t(&ev, "proc.exe"), "bash");
    assert_eq!(t(&ev, "proc.exepath"), "/usr/bin/bash");
    assert_eq!(t(&ev, "proc.cmdline"), "bash -i");
    assert_eq!(t(&ev, "proc.exeline"), "bash -i");
    assert_eq!(t(&ev, "proc.args"), "-i");
    assert_eq!(t(&ev, "proc.args[0]"), "-i");
    assert_eq!(t(&ev, "proc.args[5]"), "");
    assert_eq!(t(&ev, "proc.pname"), "containerd-shim");
    assert_eq!(t(&ev, "proc.pcmdline"), "containerd-shim -namespace moby");
    assert_eq!(t(&ev, "proc.aname[0]"), "bash");
    assert_eq!(t(&ev, "proc.aname[1]"), "containerd-shim");
    assert_eq!(t(&ev, "proc.aname[2]"), "systemd");
    assert_eq!(t(&ev, "proc.aname[3]"), "<NA>");
    assert_eq!(t(&ev, "proc.aname"), "containerd-shim systemd");
    assert_eq!(t(&ev, "proc.aexepath[2]"), "/usr/lib/systemd/systemd");
    assert_eq!(t(&ev, "proc.apid[1]"), "4200");
    assert_eq!(t(&ev, "proc.apid"), "4200 1");
    assert_eq!(t(&ev, "proc.ppid"), "4200");
    assert_eq!(t(&ev, "proc.pid"), "4242");
    assert_eq!(t(&ev, "proc.vpid"), "7");
    assert_eq!(t(&ev, "proc.tty"), "34816");
    assert_eq!(t(&ev, "proc.sname"), "containerd-shim");
    assert_eq!(t(&ev, "proc.vpgid.name"), "bash");
    assert_eq!(t(&ev, "proc.pgid.name"), "<NA>");
    assert_eq!(t(&ev, "proc.is_vpgid_leader"), "false");
    assert_eq!(t(&ev, "proc.env[TERM]"), "xterm");
    assert_eq!(t(&ev, "proc.env[NOPE]"), "");
    assert_eq!(t(&ev, "proc.env"), "HOME=/root TERM=xterm");
    assert_eq!(t(&ev, "proc.duration"), "1000000123");
    assert_eq!(t(&ev, "thread.ismain"), "true");
    assert_eq!(t(&ev, "thread.cap_effective"), "CAP_CHOWN CAP_KILL");
    assert_eq!(t(&ev, "user.name"), "root");
    assert_eq!(t(&ev, "user.uid"), "0");
    assert_eq!(t(&ev, "user.loginuid"), "-1");
    assert_eq!(t(&ev, "group.name"), "root");
    assert_eq!(t(&ev, "evt.arg.exe"), "/bin/bash");
    assert_eq!(t(&ev, "evt.arg[1]"), "-i");
    assert_eq!(t(&ev, "evt.args"), "exe=/bin/bash args=-i");
    assert_eq!(t(&ev, "container.id"), "0123456789ab");
    assert_eq!(
        t(&ev, "container.image.repository"),
        "registry:5000/library/nginx"
    );
    assert_eq!(t(&ev, "container.image.tag"), "1.25");
    assert_eq!(t(&ev, "container.image.digest"), "sha256:abcd");
    assert_eq!(t(&ev, "container.privileged"), "true");
    assert_eq!(t(&ev, "container.label[app]"), "web");
    assert_eq!(
        t(&ev, "container.mount.dest[/var/run/docker.sock]"),
        "/var/run/docker.sock"
    );
    // The container plugin finds a mount by a regular expression searched in its
    // source (in its destination for `container.mount.source`), not by a glob.
    assert_eq!(t(&ev, "container.mount.dest[/etc*]"), "<NA>");
    assert_eq!(t(&ev, "container.mount.dest[/]"), "/var/run/docker.sock");
    assert_eq!(
        t(&ev, "container.mount.dest[^/var/run]"),
        "/var/run/docker.sock"
    );
    assert_eq!(t(&ev, "container.mount.dest[^/run]"), "<NA>");
    assert_eq!(t(&ev, "container.mount.dest[0]"), "/var/run/docker.sock");
    assert_eq!(
        t(&ev, "container.mount.source[docker.sock$]"),
        "/var/run/docker.sock"
    );
    assert_eq!(t(&ev, "container.mount.rdwr[/var/run/docker.sock]"), "true");
    assert_eq!(
        t(&ev, "container.mounts"),
        "/var/run/docker.sock:/var/run/docker.sock::true:rprivate"
    );
    assert_eq!(t(&ev, "container.labels"), "app:web");
    assert_eq!(t(&ev, "k8s.ns.name"), "prod");
    assert_eq!(t(&ev, "k8s.pod.label[tier]"), "front");
    assert_eq!(t(&ev, "fd.name"), "<NA>");
    assert_eq!(t(&ev, "evt.type.is.execve"), "1");
    assert_eq!(t(&ev, "evt.type.is.open"), "0");
    assert_eq!(t(&ev, "syscall.type"), "execve");
}

#[test]
fn open_flags_and_fd_paths() {
    let ev = one(
        r#"{"ts":1,"type":"openat","res":3,"args":{"fd":3,"dirfd":-100,"name":"/etc/shadow","flags":524288,"mode":0},
            "thread":{"pid":10,"exepath":"/usr/bin/cat"},"fd":{"num":3,"type":"file","name":"/etc/shadow"}}"#,
    );
    assert_eq!(t(&ev, "evt.arg.flags"), "O_RDONLY|O_CLOEXEC");
    // The driver's encoding: PPM_O_RDONLY (1) | PPM_O_CLOEXEC (4096).
    assert_eq!(t(&ev, "evt.rawarg.flags"), "4097");
    assert_eq!(t(&ev, "evt.rawarg.dirfd"), "-100");
    assert_eq!(t(&ev, "evt.is_open_read"), "true");
    assert_eq!(t(&ev, "evt.is_open_write"), "false");
    assert_eq!(t(&ev, "evt.is_open_exec"), "false");
    assert_eq!(t(&ev, "fd.name"), "/etc/shadow");
    assert_eq!(t(&ev, "fd.directory"), "/etc");
    assert_eq!(t(&ev, "fd.filename"), "shadow");
    assert_eq!(t(&ev, "fd.typechar"), "f");
    assert_eq!(t(&ev, "fd.type"), "file");
    assert_eq!(t(&ev, "fd.num"), "3");
    assert_eq!(t(&ev, "proc.name"), "cat");
    // The container plugin's description of the host.
    assert_eq!(t(&ev, "container.id"), "host");
    assert_eq!(t(&ev, "container.name"), "host");
    assert_eq!(t(&ev, "container.type"), "host");
    assert_eq!(t(&ev, "container.image.repository"), "");
    assert_eq!(t(&ev, "container.privileged"), "false");
    assert_eq!(t(&ev, "container.mounts"), "");
    assert_eq!(t(&ev, "container.mount.dest[/]"), "<NA>");
    assert_eq!(t(&ev, "k8s.pod.name"), "<NA>");
    assert_eq!(t(&ev, "fd.containername"), "host:/etc/shadow");

    let ev = one(
        r#"{"ts":1,"type":"openat","res":-2,"args":{"name":"/tmp/x.sh","flags":"O_WRONLY|O_CREAT|O_TRUNC","mode":"0755"}}"#,
    );
    assert_eq!(t(&ev, "evt.is_open_write"), "true");
    assert_eq!(t(&ev, "evt.is_open_read"), "false");
    assert_eq!(t(&ev, "evt.is_open_exec"), "true");
    assert_eq!(t(&ev, "evt.res"), "ENOENT");
    assert_eq!(t(&ev, "evt.rawres"), "-2");
    assert_eq!(t(&ev, "evt.failed"), "true");
    assert_eq!(t(&ev, "evt.rawarg.res"), "-2");
    assert_eq!(t(&ev, "evt.arg.res"), "-2");
    assert_eq!(t(&ev, "fd.name"), "/tmp/x.sh");
    assert_eq!(t(&ev, "fd.directory"), "/tmp");
    assert_eq!(t(&ev, "fd.filename"), "<NA>");
    assert_eq!(t(&ev, "proc.name"), "<NA>");

    let ev = one(r#"{"ts":1,"type":"openat","args":{"flags":578}}"#);
    // libsinsp's order (libs' flag table), and the driver's value as the raw one.
    assert_eq!(t(&ev, "evt.arg.flags"), "O_TRUNC|O_CREAT|O_RDWR");
    assert_eq!(t(&ev, "evt.rawarg.flags"), "263");
    assert_eq!(t(&ev, "evt.is_open_read"), "true");
    assert_eq!(t(&ev, "evt.is_open_write"), "true");
}

#[test]
fn directory_and_filename_edge_cases() {
    let dir = |name: &str, kind: &str| {
        let line = format!(r#"{{"ts":1,"type":"read","fd":{{"type":"{kind}","name":"{name}"}}}}"#);
        let ev = one(&line);
        (t(&ev, "fd.directory"), t(&ev, "fd.filename"))
    };
    assert_eq!(dir("/a/b/c", "file"), ("/a/b".into(), "c".into()));
    assert_eq!(dir("/x", "file"), ("/".into(), "x".into()));
    assert_eq!(dir("/a/b/", "file"), ("/a/b/".into(), "/a/b/".into()));
    assert_eq!(dir("rel", "file"), ("/".into(), "/".into()));
    assert_eq!(dir("/a/b", "directory"), ("/a/b".into(), "<NA>".into()));
    assert_eq!(dir("pipe:[1]", "pipe"), ("<NA>".into(), "<NA>".into()));
}

#[test]
fn socket_fields() {
    let ev = one(
        r#"{"ts":1,"type":"connect","res":0,"fd":{"num":5,"type":"ipv4","cip":"10.0.0.2","cport":51000,"sip":"93.184.216.34","sport":443,"sip_name":"example.com","l4proto":"tcp","is_server":false}}"#,
    );
    assert_eq!(t(&ev, "fd.name"), "10.0.0.2:51000->93.184.216.34:443");
    assert_eq!(t(&ev, "fd.sip"), "93.184.216.34");
    assert_eq!(t(&ev, "fd.rip"), "93.184.216.34");
    assert_eq!(t(&ev, "fd.lip"), "10.0.0.2");
    assert_eq!(t(&ev, "fd.rport"), "443");
    assert_eq!(t(&ev, "fd.lport"), "51000");
    assert_eq!(t(&ev, "fd.sockfamily"), "ip");
    assert_eq!(t(&ev, "fd.l4proto"), "tcp");
    assert_eq!(t(&ev, "fd.typechar"), "4");
    assert_eq!(t(&ev, "fd.directory"), "<NA>");
    match super::value(SYS, "fd.ip", &ev) {
        OwnedValue::AnyOf(v) => assert_eq!(v.len(), 2),
        other => panic!("{other:?}"),
    }
    assert_eq!(t(&ev, "fd.port"), "51000 443");
    assert_eq!(t(&ev, "fd.snet"), "93.184.216.34");
    assert_eq!(t(&ev, "fd.sip.name"), "example.com");
    assert_eq!(t(&ev, "fd.rip.name"), "example.com");
    assert_eq!(t(&ev, "fd.cip.name"), "<NA>");
}

#[test]
fn syscall_errors_name_line_and_cause() {
    let text = "\n# comment\n{\"ts\":1,\"type\":\"nosuch\"}\n{\"ts\":1,\"type\":\"open\",\"thread\":{\"pid\":\"x\"}}\n{\"type\":\"open\"}\n{\"ts\":1,\"type\":\"open\",\"thred\":{}}\nnot json\n[1]\n{\"ts\":1,\"type\":\"open\",\"dir\":\"?\"}\n{\"ts\":2,\"type\":\"close\"}\n";
    let r = read_syscall(text);
    let msgs: Vec<String> = r
        .iter()
        .map(|x| match x {
            Ok(e) => format!("ok {}", e.num()),
            Err(e) => e.to_string(),
        })
        .collect();
    println!("{msgs:#?}");
    assert_eq!(msgs.len(), 8);
    assert!(msgs[0].starts_with("line 3, column 1: unknown event type `nosuch`"));
    assert!(msgs[1].contains("line 4") && msgs[1].contains("`thread.pid` must be an integer"));
    assert!(msgs[2].contains("line 5") && msgs[2].contains("missing `ts`"));
    assert!(msgs[3].contains("unknown key `thred`") && msgs[3].contains("did you mean `thread`"));
    assert!(msgs[4].contains("line 7") && msgs[4].contains("invalid JSON"));
    assert!(msgs[5].contains("must be a JSON object"));
    assert!(msgs[6].contains("`dir`"));
    assert_eq!(msgs[7], "ok 1");
}

#[test]
fn enter_events_and_generic_fields() {
    let text = "{\"ts\":5000000000,\"type\":\"open\",\"dir\":\">\",\"hostname\":\"node-1\"}\n{\"ts\":7500000000,\"type\":\"open\"}\n";
    let evs: Vec<Event> = read_syscall(text).into_iter().map(Result::unwrap).collect();
    assert_eq!(t(&evs[0], "evt.dir"), ">");
    assert_eq!(t(&evs[0], "evt.hostname"), "node-1");
    assert_eq!(t(&evs[1], "evt.hostname"), "<NA>");
    assert_eq!(t(&evs[1], "evt.num"), "2");
    assert_eq!(t(&evs[1], "evt.reltime"), "2500000000");
    assert_eq!(t(&evs[1], "evt.res"), "<NA>");
    assert_eq!(t(&evs[1], "evt.failed"), "false");
    assert_eq!(t(&evs[1], "evt.source"), "syscall");
    assert_eq!(t(&evs[1], "evt.pluginname"), "<NA>");
}

#[test]
fn scalar_extraction_does_not_allocate_scratch() {
    let ev = one(&EXEC.replace('\n', ""));
    let mut scratch = Scratch::new();
    for f in [
        "proc.name",
        "evt.type",
        "user.uid",
        "container.id",
        "proc.aname[2]",
        "fd.name",
    ] {
        let ex = Extractor::new(SYS, f, None).unwrap();
        let _ = ex.extract(&ev, &mut scratch);
        assert_eq!(scratch.buf.capacity(), 0, "{f}");
    }
    let ex = Extractor::new(SYS, "evt.arg", Some("flags")).unwrap();
    assert!(ex.is_supported());
    assert!(matches!(ex.extract(&ev, &mut scratch), FieldValue::Missing));
}

#[test]
fn dotted_and_resolved_forms_compile() {
    for (f, a) in [
        ("evt.arg.flags", None),
        ("evt.arg", Some("flags")),
        ("evt.type.is.open", None),
        ("evt.type.is", Some("open")),
        ("proc.aname", Some("2")),
        ("proc.aname[2]", None),
    ] {
        let ex = Extractor::new(SYS, f, a).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(ex.is_supported(), "{f}");
    }
    assert!(Extractor::new(SYS, "proc.nam", None).is_err());
    assert!(Extractor::new(SYS, "ka.verb", None).is_err());
}

/// Lists the syscall-source fields the upstream rules use that this crate does not compute;
/// fails if a field the rules use often is missing.
#[test]
fn syscall_field_coverage() {
    let schema = falco_schema::Schema::get();
    let all: Vec<&str> = schema.fields_for(SYS).map(|f| f.name).collect();
    let yes: Vec<&str> = all.iter().copied().filter(|f| supported(SYS, f)).collect();
    let no: Vec<&str> = all.iter().copied().filter(|f| !supported(SYS, f)).collect();
    println!("syscall fields supported: {}/{}", yes.len(), all.len());
    println!("unsupported: {no:?}");
    for must in [
        "proc.name",
        "fd.name",
        "proc.cmdline",
        "proc.pname",
        "evt.type",
        "user.name",
        "proc.tty",
        "user.uid",
        "proc.aname",
        "user.loginuid",
        "proc.exepath",
        "container.image.repository",
        "proc.args",
        "evt.arg",
        "proc.pcmdline",
        "fd.directory",
        "fd.typechar",
        "fd.type",
        "fd.rport",
        "fd.lport",
        "evt.res",
        "proc.pexe",
        "proc.exe",
        "thread.cap_permitted",
        "evt.rawres",
        "k8s.ns.name",
        "fd.sport",
        "fd.num",
        "fd.net",
        "evt.num",
        "proc.cwd",
        "proc.env",
        "fd.ip",
        "fd.sip",
        "container.id",
        "fd.snet",
        "fd.name_changed",
        "fd.filename",
        "fd.connected",
        "evt.is_open_read",
        "proc.vpid",
        "evt.is_open_write",
        "evt.hostname",
        "container.privileged",
        "user.loginname",
        "proc.sname",
        "proc.pexepath",
        "proc.is_vpgid_leader",
        "group.name",
        "group.gid",
        "container.start_ts",
        "evt.dir",
        "container.mount.dest",
        "evt.is_open_exec",
        "evt.buffer",
        "evt.rawarg",
        "proc.aexepath",
        "proc.aexe",
        "k8s.pod.name",
    ] {
        assert!(supported(SYS, must), "{must} must be supported");
    }
}

#[test]
fn fields_the_agent_supplies_are_fields_this_crate_computes() {
    use crate::agent_fields::{SUPPLIED, supplies};
    for f in SUPPLIED {
        assert!(crate::supported("syscall", f), "{f}");
    }
    assert!(supplies("proc.aname[3]"));
    assert!(supplies("evt.arg.flags"));
    assert!(supplies("container.image.repository") && supplies("k8s.pod.name"));
    assert!(supplies("container.start_ts") && !supplies("container.cni.json"));
    assert!(!supplies("k8smeta.pod.name"));
    assert!(!supplies("evt.latency"));
}
