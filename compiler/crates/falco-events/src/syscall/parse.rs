//! One JSON line → [`SyscallEvent`], with strict key and type checks.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use falco_schema::Schema;

use super::build::push_int;
use super::{Arg, Container, Fd, FdKind, K8sMeta, Mount, Proc, Raw, SyscallEvent};
use crate::json::{self, Json};
use crate::params::{self, ParamType};
use crate::time::parse_rfc3339;

/// Open flags as the `is_open_*` fields need them.
pub(crate) const OPEN_RDONLY: u32 = 1;
pub(crate) const OPEN_WRONLY: u32 = 2;
pub(crate) const OPEN_CREAT: u32 = 4;
pub(crate) const OPEN_TMPFILE: u32 = 8;
pub(crate) const OPEN_F_CREATED: u32 = 16;

/// Event types whose `flags` argument holds open flags.
const OPEN_EVENTS: &[&str] = &["open", "openat", "openat2", "open_by_handle_at", "creat"];

pub(crate) struct Parsed {
    pub(crate) event: SyscallEvent,
    pub(crate) ts: u64,
    pub(crate) num: Option<u64>,
    pub(crate) hostname: Option<Arc<str>>,
}

/// A result whose error is a byte offset in the line and a message.
pub(crate) type PResult<T> = Result<T, (usize, String)>;

/// A key path for messages (`thread.pid`), formatted only when an error needs it.
#[derive(Clone, Copy)]
struct Path<'a>(&'a str, &'a str);

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

fn err<T>(message: String) -> PResult<T> {
    Err((0, message))
}

fn members(v: &Json, what: impl fmt::Display) -> PResult<&[(Box<str>, Json)]> {
    v.as_object()
        .ok_or_else(|| (0, format!("`{what}` must be a JSON object")))
}

/// The error for key `key` that is not among `allowed`.
fn unknown_key(key: &str, allowed: &[&str], what: impl fmt::Display) -> (usize, String) {
    let hint = falco_schema_hint(key, allowed);
    (0, format!("unknown key `{key}` in {what}{hint}"))
}

fn check_keys(obj: &[(Box<str>, Json)], allowed: &[&str], what: impl fmt::Display) -> PResult<()> {
    for (k, _) in obj {
        if !allowed.contains(&&**k) {
            let hint = falco_schema_hint(k, allowed);
            return err(format!("unknown key `{k}` in {what}{hint}"));
        }
    }
    Ok(())
}

fn falco_schema_hint(key: &str, allowed: &[&str]) -> String {
    allowed
        .iter()
        .map(|a| (strsim::levenshtein(key, a), *a))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, a)| format!(" (did you mean `{a}`?)"))
        .unwrap_or_default()
}

fn int(v: &Json, what: impl fmt::Display + Copy) -> PResult<i64> {
    match v {
        Json::Number(n) => n
            .parse::<i64>()
            .map_err(|_| (0, format!("`{what}` must be an integer, found `{n}`"))),
        _ => err(format!("`{what}` must be an integer")),
    }
}

fn uint(v: &Json, what: impl fmt::Display + Copy) -> PResult<u64> {
    match v {
        Json::Number(n) => n.parse::<u64>().map_err(|_| {
            (
                0,
                format!("`{what}` must be a non-negative integer, found `{n}`"),
            )
        }),
        _ => err(format!("`{what}` must be a non-negative integer")),
    }
}

fn text(v: &Json, what: impl fmt::Display + Copy) -> PResult<Box<str>> {
    v.as_str()
        .map(Box::from)
        .ok_or_else(|| (0, format!("`{what}` must be a string")))
}

fn boolean(v: &Json, what: impl fmt::Display + Copy) -> PResult<bool> {
    match v {
        Json::Bool(b) => Ok(*b),
        _ => err(format!("`{what}` must be true or false")),
    }
}

fn strings(v: &Json, what: impl fmt::Display + Copy) -> PResult<Box<[Box<str>]>> {
    let items = v
        .as_array()
        .ok_or_else(|| (0, format!("`{what}` must be an array of strings")))?;
    items.iter().map(|i| text(i, what)).collect()
}

fn time(v: &Json, what: impl fmt::Display + Copy) -> PResult<u64> {
    match v {
        Json::String(s) => {
            parse_rfc3339(s).ok_or_else(|| (0, format!("`{what}` is not an RFC 3339 time: `{s}`")))
        }
        other => uint(other, what),
    }
}

fn ip(v: &Json, what: impl fmt::Display + Copy) -> PResult<IpAddr> {
    let s = v
        .as_str()
        .ok_or_else(|| (0, format!("`{what}` must be an IP address string")))?;
    s.parse()
        .map_err(|_| (0, format!("`{what}` is not an IP address: `{s}`")))
}

/// Key/value labels.
type Labels = Box<[(Box<str>, Box<str>)]>;

fn labels(v: &Json, what: impl fmt::Display + Copy) -> PResult<Labels> {
    members(v, what)?
        .iter()
        .map(|(k, val)| Ok((k.clone(), text(val, what)?)))
        .collect()
}

/// The top-level keys of an event line.
pub(crate) const EVENT_KEYS: &[&str] = &[
    "ts",
    "type",
    "dir",
    "num",
    "cpu",
    "res",
    "args",
    "thread",
    "ancestors",
    "fd",
    "container",
    "k8s",
    "hostname",
];

/// Parses one line.
pub(crate) fn parse_line(line: &str) -> PResult<Parsed> {
    let root = json::parse(line).map_err(|e| (e.offset, format!("invalid JSON: {}", e.message)))?;
    let obj = root
        .as_object()
        .ok_or_else(|| (0, "a syscall event must be a JSON object".to_string()))?;
    check_keys(obj, EVENT_KEYS, "event")?;
    let get = |key: &str| root.get(key);
    let mut parsed = parse_head(get)?;
    parsed.event.procs = parse_procs(get("thread"), get("ancestors"))?.into();
    parse_tail(&mut parsed.event, get)?;
    Ok(parsed)
}

/// The event's own keys (everything but its thread, ancestors, fd, container and pod), in
/// the order their errors are reported.
pub(crate) fn parse_head<'j>(get: impl Fn(&str) -> Option<&'j Json>) -> PResult<Parsed> {
    let ty = get("type").ok_or_else(|| {
        (
            0,
            "missing `type` (the event type, e.g. \"openat\")".to_string(),
        )
    })?;
    let ty = text(ty, "type")?;
    let schema = Schema::get();
    if !schema.is_event_type(&ty) {
        let hint = schema
            .suggest_event_type(&ty)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        return err(format!("unknown event type `{ty}`{hint}"));
    }
    let ts = match get("ts") {
        Some(v) => time(v, "ts")?,
        None => {
            return err("missing `ts` (nanoseconds since the epoch, or an RFC 3339 time)".into());
        }
    };
    let enter = match get("dir").map(|d| d.as_str()) {
        None => false,
        Some(Some("<")) => false,
        Some(Some(">")) => true,
        Some(_) => return err("`dir` must be \">\" (enter) or \"<\" (exit)".into()),
    };
    let head = Head {
        ty: &ty,
        ts,
        enter,
        num: get("num").map(|v| uint(v, "num")).transpose()?,
        cpu: get("cpu").map(|v| int(v, "cpu")).transpose()?,
        res: get("res").map(|v| int(v, "res")).transpose()?,
        hostname: get("hostname")
            .map(|v| text(v, "hostname"))
            .transpose()?
            .map(Arc::from),
    };
    with_args(head, get("args"), Vec::new())
}

/// An event's own scalar members, read and checked (`type` is an event type).
pub(crate) struct Head<'a> {
    pub(crate) ty: &'a str,
    pub(crate) ts: u64,
    pub(crate) enter: bool,
    pub(crate) num: Option<u64>,
    pub(crate) cpu: Option<i64>,
    pub(crate) res: Option<i64>,
    pub(crate) hostname: Option<Arc<str>>,
}

/// The event of `head` with its arguments (the last of the event's own keys): those of
/// the `args` value when there is one, else `read` (arguments read without a JSON tree).
pub(crate) fn with_args(head: Head<'_>, args: Option<&Json>, read: Vec<Arg>) -> PResult<Parsed> {
    let mut ev = SyscallEvent {
        evt_type: head.ty.into(),
        enter: head.enter,
        cpu: head.cpu,
        res: head.res,
        args: read,
        ..SyscallEvent::default()
    };
    if let Some(args) = args {
        ev.args = parse_args(args)?;
    }
    ev.open_flags = open_flags_of(&ev.evt_type, &mut ev.args);
    Ok(Parsed {
        event: ev,
        ts: head.ts,
        num: head.num,
        hostname: head.hostname,
    })
}

/// The thread and its ancestors (`thread`, `ancestors`).
pub(crate) fn parse_procs(thread: Option<&Json>, ancestors: Option<&Json>) -> PResult<Vec<Proc>> {
    let mut procs = Vec::new();
    if let Some(t) = thread {
        procs.push(parse_proc(t, "thread")?);
    }
    if let Some(a) = ancestors {
        if procs.is_empty() {
            return err("`ancestors` needs a `thread`".into());
        }
        let items = a.as_array().ok_or_else(|| {
            (
                0,
                "`ancestors` must be an array of process objects".to_string(),
            )
        })?;
        for item in items {
            procs.push(parse_proc(item, "ancestors")?);
        }
    }
    Ok(procs)
}

/// The descriptor, container and pod (`fd`, `container`, `k8s`).
pub(crate) fn parse_tail<'j>(
    ev: &mut SyscallEvent,
    get: impl Fn(&str) -> Option<&'j Json>,
) -> PResult<()> {
    if let Some(fd) = get("fd") {
        ev.fd = Some(Box::new(parse_fd(fd)?));
    }
    if let Some(c) = get("container") {
        ev.container = Some(Arc::new(parse_container(c)?));
    }
    if let Some(k) = get("k8s") {
        ev.k8s = Some(std::sync::Arc::new(parse_k8s(k)?));
    }
    Ok(())
}

fn parse_args(v: &Json) -> PResult<Vec<Arg>> {
    let obj = members(v, "args")?;
    let mut out = Vec::with_capacity(obj.len());
    for (name, val) in obj {
        let what = Path("args", name);
        let (text, raw) = match val {
            Json::Number(n) => {
                let raw = if let Ok(u) = n.parse::<u64>() {
                    Raw::Uint(u)
                } else if let Ok(i) = n.parse::<i64>() {
                    Raw::Int(i)
                } else {
                    return err(format!("`{what}` must be an integer or a string"));
                };
                (n.clone(), raw)
            }
            Json::String(s) => (s.clone(), Raw::Text),
            Json::Bool(b) => (
                Box::from(if *b { "true" } else { "false" }),
                Raw::Uint(u64::from(*b)),
            ),
            Json::Object(_) => {
                check_keys(val.as_object().unwrap_or(&[]), &["raw", "text"], what)?;
                let raw = match val.get("raw") {
                    Some(Json::Number(n)) => match (n.parse::<u64>(), n.parse::<i64>()) {
                        (Ok(u), _) => Raw::Uint(u),
                        (_, Ok(i)) => Raw::Int(i),
                        _ => return err(format!("`{what}.raw` must be an integer")),
                    },
                    Some(Json::String(s)) => Raw::Bytes(s.as_bytes().into()),
                    None => Raw::Text,
                    Some(_) => return err(format!("`{what}.raw` must be an integer or a string")),
                };
                let text = match (val.get("text"), &raw) {
                    (Some(t), _) => text(t, &format!("{what}.text"))?,
                    (None, Raw::Uint(u)) => u.to_string().into(),
                    (None, Raw::Int(i)) => i.to_string().into(),
                    (None, Raw::Bytes(b)) => String::from_utf8_lossy(b).into(),
                    (None, Raw::Text) => return err(format!("`{what}` needs `raw` or `text`")),
                };
                (text, raw)
            }
            _ => {
                return err(format!(
                    "`{what}` must be a number, a string or {{raw, text}}"
                ));
            }
        };
        out.push(Arg {
            name: String::from(&**name).into(),
            text: text.into(),
            raw,
        });
    }
    Ok(out)
}

/// The open flags of an event: `Some` for open-family events with a `flags` argument.
pub(crate) fn open_flags_of(evt_type: &str, args: &mut [Arg]) -> Option<u32> {
    if OPEN_EVENTS.contains(&evt_type) {
        open_flags(args)
    } else {
        None
    }
}

/// Reads the open flags of an open-family event; a numeric `flags` argument (Linux values)
/// gets libsinsp's text (`O_TRUNC|O_CREAT|O_WRONLY`) and the driver's raw value, from libs'
/// flag table ([`params`]).
fn open_flags(args: &mut [Arg]) -> Option<u32> {
    let arg = args.iter_mut().find(|a| a.name == "flags")?;
    let numeric = match arg.raw {
        Raw::Uint(u) => Some(u),
        Raw::Int(i) => u64::try_from(i).ok(),
        _ => None,
    };
    let Some(v) = numeric.filter(|_| arg.text.bytes().all(|b| b.is_ascii_digit())) else {
        return Some(
            arg.text
                .split(['|', ' ', ','])
                .map(flag_bits)
                .fold(0, |a, b| a | b),
        );
    };
    // Written over the digits in place (a reused event keeps its buffer); the bits are
    // those of the names written, as if the text were read back.
    let text = &mut arg.text;
    text.clear();
    let Some(table) = params::flag_table("file_flags") else {
        return Some(0);
    };
    let ppm = table.ppm_of(v, false).unwrap_or_default();
    if !table.write_text(ppm, ParamType::Flags, text) {
        push_int(text, ppm as i64);
    }
    let bits = text.split('|').map(flag_bits).fold(0, |a, b| a | b);
    // `evt.rawarg.flags` is the driver's encoding, as in Falco.
    arg.raw = Raw::Uint(ppm);
    Some(bits)
}

/// The `OPEN_*` bits an open flag name stands for.
fn flag_bits(name: &str) -> u32 {
    match name {
        "O_RDONLY" => OPEN_RDONLY,
        "O_WRONLY" => OPEN_WRONLY,
        "O_RDWR" => OPEN_RDONLY | OPEN_WRONLY,
        "O_CREAT" => OPEN_CREAT,
        "O_TMPFILE" => OPEN_TMPFILE,
        "O_F_CREATED" => OPEN_F_CREATED,
        _ => 0,
    }
}

const PROC_KEYS: &[&str] = &[
    "tid",
    "pid",
    "vtid",
    "vpid",
    "ppid",
    "sid",
    "vpgid",
    "pgid",
    "tty",
    "loginuid",
    "loginname",
    "uid",
    "gid",
    "user",
    "group",
    "homedir",
    "shell",
    "name",
    "exe",
    "exepath",
    "args",
    "cwd",
    "env",
    "start_ts",
    "pidns_init_start_ts",
    "cap_permitted",
    "cap_effective",
    "cap_inheritable",
    "exe_writable",
    "exe_upper_layer",
    "exe_lower_layer",
    "exe_from_memfd",
    "exe_ino",
    "exe_ino_ctime",
    "exe_ino_mtime",
    "nthreads",
];

fn parse_proc(v: &Json, what: &str) -> PResult<Proc> {
    let obj = members(v, what)?;
    let mut p = Proc::default();
    for (k, val) in obj {
        let w = Path(what, k);
        match &**k {
            "tid" => p.tid = Some(int(val, w)?),
            "pid" => p.pid = Some(int(val, w)?),
            "vtid" => p.vtid = Some(int(val, w)?),
            "vpid" => p.vpid = Some(int(val, w)?),
            "ppid" => p.ppid = Some(int(val, w)?),
            "sid" => p.sid = Some(int(val, w)?),
            "vpgid" => p.vpgid = Some(int(val, w)?),
            "pgid" => p.pgid = Some(int(val, w)?),
            "tty" => p.tty = Some(uint(val, w)?),
            "loginuid" => p.loginuid = Some(int(val, w)?),
            "loginname" => p.loginname = Some(text(val, w)?),
            "uid" => p.uid = Some(uint(val, w)?),
            "gid" => p.gid = Some(uint(val, w)?),
            "user" => p.user = Some(text(val, w)?),
            "group" => p.group = Some(text(val, w)?),
            "homedir" => p.homedir = Some(text(val, w)?),
            "shell" => p.shell = Some(text(val, w)?),
            "name" => p.name = Some(text(val, w)?),
            "exe" => p.exe = Some(text(val, w)?),
            "exepath" => p.exepath = Some(text(val, w)?),
            "args" => p.args = Some(strings(val, w)?),
            "cwd" => p.cwd = Some(text(val, w)?),
            "env" => p.env = Some(strings(val, w)?),
            "start_ts" => p.start_ts = Some(time(val, w)?),
            "pidns_init_start_ts" => p.pidns_init_start_ts = Some(time(val, w)?),
            "cap_permitted" => p.cap_permitted = Some(text(val, w)?),
            "cap_effective" => p.cap_effective = Some(text(val, w)?),
            "cap_inheritable" => p.cap_inheritable = Some(text(val, w)?),
            "exe_writable" => p.exe_writable = Some(boolean(val, w)?),
            "exe_upper_layer" => p.exe_upper_layer = Some(boolean(val, w)?),
            "exe_lower_layer" => p.exe_lower_layer = Some(boolean(val, w)?),
            "exe_from_memfd" => p.exe_from_memfd = Some(boolean(val, w)?),
            "exe_ino" => p.exe_ino = Some(int(val, w)?),
            "exe_ino_ctime" => p.exe_ino_ctime = Some(time(val, w)?),
            "exe_ino_mtime" => p.exe_ino_mtime = Some(time(val, w)?),
            "nthreads" => p.nthreads = Some(uint(val, w)?),
            _ => return Err(unknown_key(k, PROC_KEYS, what)),
        }
    }
    // Defaults the kernel would imply: a main thread's tid is its pid; comm is the first 15
    // bytes of the executable's file name.
    if p.tid.is_none() {
        p.tid = p.pid;
    }
    if p.pid.is_none() {
        p.pid = p.tid;
    }
    if p.name.is_none()
        && let Some(path) = p.exepath.as_deref()
    {
        let base = path.rsplit('/').next().unwrap_or(path);
        let mut end = base.len().min(15);
        while !base.is_char_boundary(end) {
            end -= 1;
        }
        p.name = base.get(..end).map(Box::from);
    }
    Ok(p)
}

const FD_KEYS: &[&str] = &[
    "num",
    "type",
    "name",
    "nameraw",
    "cip",
    "sip",
    "cport",
    "sport",
    "cip_name",
    "sip_name",
    "l4proto",
    "is_server",
    "connected",
    "name_changed",
    "dev",
    "ino",
    "upper_layer",
    "lower_layer",
];

fn parse_fd(v: &Json) -> PResult<Fd> {
    let obj = members(v, "fd")?;
    let mut fd = Fd::default();
    for (k, val) in obj {
        let w = Path("fd", k);
        match &**k {
            "num" => fd.num = Some(int(val, w)?),
            "type" => {
                let t = text(val, w)?;
                let kind = FdKind::from_name(&t).ok_or_else(|| {
                    let names: Vec<&str> = FdKind::ALL.iter().map(|(n, _, _)| *n).collect();
                    (
                        0,
                        format!(
                            "unknown fd type `{t}`; expected one of {}",
                            names.join(", ")
                        ),
                    )
                })?;
                fd.kind = Some(kind);
            }
            "name" => fd.name = Some(text(val, w)?.into()),
            "nameraw" => fd.nameraw = Some(text(val, w)?),
            "cip" => fd.cip = Some(ip(val, w)?),
            "sip" => fd.sip = Some(ip(val, w)?),
            "cport" => fd.cport = Some(uint(val, w)?),
            "sport" => fd.sport = Some(uint(val, w)?),
            "l4proto" => fd.l4proto = Some(text(val, w)?),
            "cip_name" => fd.cip_name = Some(text(val, w)?),
            "sip_name" => fd.sip_name = Some(text(val, w)?),
            "is_server" => fd.is_server = Some(boolean(val, w)?),
            "connected" => fd.connected = Some(boolean(val, w)?),
            "name_changed" => fd.name_changed = Some(boolean(val, w)?),
            "dev" => fd.dev = Some(int(val, w)?),
            "ino" => fd.ino = Some(int(val, w)?),
            "upper_layer" => fd.upper_layer = Some(boolean(val, w)?),
            "lower_layer" => fd.lower_layer = Some(boolean(val, w)?),
            _ => return Err(unknown_key(k, FD_KEYS, "fd")),
        }
    }
    if fd.name.is_none()
        && let (Some(cip), Some(sip)) = (fd.cip, fd.sip)
    {
        let name = format!(
            "{}:{}->{}:{}",
            cip,
            fd.cport.unwrap_or(0),
            sip,
            fd.sport.unwrap_or(0)
        );
        fd.name = Some(name);
    }
    Ok(fd)
}

const CONTAINER_KEYS: &[&str] = &[
    "id",
    "full_id",
    "name",
    "image",
    "image_id",
    "image_repository",
    "image_tag",
    "image_digest",
    "type",
    "privileged",
    "host_pid",
    "host_network",
    "host_ipc",
    "start_ts",
    "ip",
    "labels",
    "mounts",
];

pub(crate) fn parse_container(v: &Json) -> PResult<Container> {
    let obj = members(v, "container")?;
    let mut c = Container::default();
    for (k, val) in obj {
        let w = Path("container", k);
        match &**k {
            "id" => c.id = Some(text(val, w)?),
            "full_id" => c.full_id = Some(text(val, w)?),
            "name" => c.name = Some(text(val, w)?),
            "image" => c.image = Some(text(val, w)?),
            "image_id" => c.image_id = Some(text(val, w)?),
            "image_repository" => c.image_repository = Some(text(val, w)?),
            "image_tag" => c.image_tag = Some(text(val, w)?),
            "image_digest" => c.image_digest = Some(text(val, w)?),
            "type" => c.kind = Some(text(val, w)?),
            "privileged" => c.privileged = Some(boolean(val, w)?),
            "host_pid" => c.host_pid = Some(boolean(val, w)?),
            "host_network" => c.host_network = Some(boolean(val, w)?),
            "host_ipc" => c.host_ipc = Some(boolean(val, w)?),
            "start_ts" => c.start_ts = Some(time(val, w)?),
            "ip" => c.ip = Some(text(val, w)?),
            "labels" => c.labels = labels(val, w)?,
            "mounts" => {
                let items = val
                    .as_array()
                    .ok_or_else(|| (0, format!("`{w}` must be an array of mount objects")))?;
                let mut mounts = Vec::new();
                for m in items {
                    let mo = members(m, w)?;
                    check_keys(mo, &["source", "dest", "mode", "rdwr", "propagation"], w)?;
                    let get = |key: &str| -> PResult<Box<str>> {
                        m.get(key).map_or(Ok(Box::from("")), |v| text(v, w))
                    };
                    mounts.push(Mount {
                        source: get("source")?,
                        dest: get("dest")?,
                        mode: get("mode")?,
                        rdwr: m
                            .get("rdwr")
                            .map(|v| boolean(v, w))
                            .transpose()?
                            .unwrap_or(false),
                        propagation: get("propagation")?,
                    });
                }
                c.mounts = mounts.into();
            }
            _ => return Err(unknown_key(k, CONTAINER_KEYS, "container")),
        }
    }
    if let Some(image) = c.image.clone() {
        let (rest, digest) = match image.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (&*image, None),
        };
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (repo, tag) = match rest.get(slash..).and_then(|tail| tail.rfind(':')) {
            Some(i) => (
                rest.get(..slash + i).unwrap_or(rest),
                rest.get(slash + i + 1..),
            ),
            None => (rest, None),
        };
        if c.image_repository.is_none() {
            c.image_repository = Some(repo.into());
        }
        if c.image_tag.is_none() {
            c.image_tag = tag.map(Box::from);
        }
        if c.image_digest.is_none() {
            c.image_digest = digest.map(Box::from);
        }
    }
    Ok(c)
}

const K8S_KEYS: &[&str] = &["pod_name", "pod_uid", "pod_ip", "ns_name", "pod_labels"];

fn parse_k8s(v: &Json) -> PResult<K8sMeta> {
    let obj = members(v, "k8s")?;
    let mut k = K8sMeta::default();
    for (key, val) in obj {
        let w = Path("k8s", key);
        match &**key {
            "pod_name" => k.pod_name = Some(text(val, w)?),
            "pod_uid" => k.pod_uid = Some(text(val, w)?),
            "pod_ip" => k.pod_ip = Some(text(val, w)?),
            "ns_name" => k.ns_name = Some(text(val, w)?),
            "pod_labels" => k.pod_labels = labels(val, w)?,
            _ => return Err(unknown_key(key, K8S_KEYS, "k8s")),
        }
    }
    Ok(k)
}
