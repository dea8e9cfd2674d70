//! `falco-rules-lsp bench`: latency of the real server over stdio, measured the way an
//! editor sees it, optionally side by side with another server (`--compare`, e.g.
//! falco-lang).
//!
//! Starts this same binary as a server child (and the other server, when given), opens
//! the three upstream rules files in each (ours loads them in order from a generated
//! `falco.yaml`), then times:
//! - didOpen → the first diagnostics of `falco_rules.yaml`;
//! - each didChange → the diagnostics of that version. Edits go round the three files,
//!   each one breaking a field name and the next restoring it (ours must show the error
//!   come and go). With `--compare`, every edit goes to both servers, which of them
//!   first alternating, so a busy spell of the machine falls on both alike.
//!
//! It prints the load averages before and after, the servers' CPU time per edit and
//! memory from `/proc`, and the analysis timed in-process. The debounce is 0 unless
//! `--debounce-ms N` is given (`--debounce-ms default` keeps the server's default).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const FILES: [&str; 3] = [
    "falco_rules.yaml",
    "falco-incubating_rules.yaml",
    "falco-sandbox_rules.yaml",
];

/// The longest wait for any one answer before the bench gives up on a server.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// Options of the bench mode.
struct Options {
    edits: usize,
    /// `None`: the server's default debounce (no `debounceMs` sent).
    debounce_ms: Option<u64>,
    corpus: PathBuf,
    /// Another language server to measure beside this one.
    compare: Option<PathBuf>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        edits: 400,
        debounce_ms: Some(0),
        corpus: PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/upstream-rules"),
        compare: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("`{arg}` needs a value"))?;
        match arg.as_str() {
            "--edits" => {
                options.edits = value
                    .parse()
                    .map_err(|_| format!("bad --edits `{value}`"))?
            }
            "--debounce-ms" if value == "default" => options.debounce_ms = None,
            "--debounce-ms" => {
                options.debounce_ms = Some(
                    value
                        .parse()
                        .map_err(|_| format!("bad --debounce-ms `{value}`"))?,
                );
            }
            "--corpus" => options.corpus = PathBuf::from(value),
            "--compare" => options.compare = Some(PathBuf::from(value)),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(options)
}

/// Runs the benchmark; returns the process exit code.
pub fn run(args: &[String]) -> i32 {
    match parse(args).and_then(|options| bench(&options)) {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("falco-rules-lsp bench: {error}");
            1
        }
    }
}

/// A server child and the client side of its pipes; a thread reads its messages.
struct Peer {
    name: String,
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Checks each edit's diagnostics (only ours: the other server's codes differ).
    checks_errors: bool,
    times: Vec<Duration>,
    cpu_before: Option<Duration>,
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Peer {
    fn start(
        name: &str,
        command: &Path,
        args: &[&str],
        checks_errors: bool,
    ) -> Result<Peer, String> {
        let mut child = Command::new(command)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| format!("starting {}: {error}", command.display()))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(format!("no pipes to {name}"));
        };
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Ok(Peer {
            name: name.to_owned(),
            child,
            stdin,
            incoming,
            next_id: 0,
            checks_errors,
            times: Vec::new(),
            cpu_before: None,
        })
    }

    fn send(&mut self, message: &Value) -> Result<(), String> {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| self.stdin.flush())
            .map_err(|error| format!("writing to {}: {error}", self.name))
    }

    fn receive(&mut self) -> Result<Value, String> {
        match self.incoming.recv_timeout(ANSWER_TIMEOUT) {
            Ok(message) => Ok(message),
            Err(RecvTimeoutError::Timeout) => {
                Err(format!("{} sent nothing for {ANSWER_TIMEOUT:?}", self.name))
            }
            Err(RecvTimeoutError::Disconnected) => Err(format!("{} closed its output", self.name)),
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        loop {
            let message = self.receive()?;
            if message["id"] == json!(id) && message.get("method").is_none() {
                return Ok(message["result"].clone());
            }
            if message.get("id").is_some() && message.get("method").is_some() {
                // A request from the server (registerCapability, ...): accept it.
                let reply = json!({"jsonrpc": "2.0", "id": message["id"], "result": null});
                self.send(&reply)?;
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) -> Result<(), String> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    /// Waits for diagnostics of `uri` at `version` (any version when `None`).
    fn wait_diagnostics(&mut self, uri: &str, version: Option<i64>) -> Result<Value, String> {
        loop {
            let message = self.receive()?;
            if message.get("id").is_some() && message.get("method").is_some() {
                let reply = json!({"jsonrpc": "2.0", "id": message["id"], "result": null});
                self.send(&reply)?;
                continue;
            }
            let params = &message["params"];
            if message["method"] == "textDocument/publishDiagnostics"
                && params["uri"] == uri
                && version.is_none_or(|version| params["version"] == version)
            {
                return Ok(params["diagnostics"].clone());
            }
        }
    }

    /// Sends one edit and waits for the diagnostics of its version.
    fn edit(&mut self, edit: &Edit, version: i64) -> Result<(), String> {
        let start = Instant::now();
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": edit.uri, "version": version},
                   "contentChanges": [{"range": edit.range, "text": edit.text}]}),
        )?;
        let diagnostics = self.wait_diagnostics(&edit.uri, Some(version))?;
        self.times.push(start.elapsed());
        if self.checks_errors {
            let broken = diagnostics
                .as_array()
                .is_some_and(|list| list.iter().any(|d| d["code"] == "E401"));
            if broken != edit.breaks {
                return Err(format!(
                    "{}: edit {version} of {}: unexpected diagnostics {diagnostics}",
                    self.name, edit.uri
                ));
            }
        }
        Ok(())
    }

    /// Asks the server to stop; some servers exit at `shutdown` already.
    fn stop(mut self) -> Result<std::process::ExitStatus, String> {
        let _ = self.request("shutdown", Value::Null);
        let _ = self.notify("exit", Value::Null);
        drop(self.stdin);
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Ok(status);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                return Err(format!("{} did not exit", self.name));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// One didChange: a range of a file replaced by a text.
struct Edit {
    uri: String,
    range: Value,
    text: &'static str,
    /// Whether the edit breaks the field (else it restores it).
    breaks: bool,
}

/// The edits: round the three files, each file's field broken (`proc.name` →
/// `proc.namex`) then restored at a condition deep in the file.
fn edits(uris: &[String], texts: &[String], count: usize) -> Result<Vec<Edit>, String> {
    let anchor = "proc.name in (shell_binaries)";
    let mut spots = Vec::new();
    for (uri, text) in uris.iter().zip(texts) {
        let offset = text
            .rfind(anchor)
            .or_else(|| text.rfind("proc.name"))
            .ok_or_else(|| format!("no `proc.name` in {uri}"))?
            + "proc.name".len();
        let line = text[..offset].matches('\n').count();
        let character = offset - text[..offset].rfind('\n').map_or(0, |at| at + 1);
        spots.push((uri.clone(), line, character));
    }
    Ok((0..count)
        .map(|index| {
            let (uri, line, character) = &spots[(index / 2) % spots.len()];
            let breaks = index % 2 == 0;
            let end = if breaks { *character } else { character + 1 };
            Edit {
                uri: uri.clone(),
                range: json!({"start": {"line": line, "character": character},
                              "end": {"line": line, "character": end}}),
                text: if breaks { "x" } else { "" },
                breaks,
            }
        })
        .collect())
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

/// User plus system CPU time a process has used so far (from `/proc`, in clock
/// ticks of 10 ms on Linux; `None` elsewhere).
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// `VmRSS` and `VmHWM` (peak) of a process, in MB.
fn memory(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|line| line.starts_with(name))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// The machine's load averages over 1, 5 and 15 minutes (`/proc/loadavg`).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "unavailable".to_owned())
}

/// In-process times of the analysis alone, best and median of `rounds`: a full
/// `analyze` of the three files, and `Incremental::analyze` after an edit of
/// `falco_rules.yaml` (what the server runs per edit).
fn analysis_times(texts: &[String], rounds: usize) -> [(Duration, Duration); 2] {
    use falco_analysis::{analyze, incremental::Incremental};
    let files: Vec<(String, String)> = FILES
        .iter()
        .zip(texts)
        .map(|(name, text)| ((*name).to_owned(), text.clone()))
        .collect();
    let mut edited = files.clone();
    edited[0].1 = edited[0].1.replacen("proc.name", "proc.namex", 1);
    let mut incremental = Incremental::new();
    drop(incremental.analyze(files.clone()));
    let (mut full, mut edit) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let start = Instant::now();
        drop(analyze(files.clone()));
        full.push(start.elapsed());
        let input = if round % 2 == 0 {
            edited.clone()
        } else {
            files.clone()
        };
        let start = Instant::now();
        let analysis = incremental.analyze(input);
        edit.push(start.elapsed());
        drop(analysis);
    }
    full.sort();
    edit.sort();
    [
        (full[0], percentile(&full, 0.5)),
        (edit[0], percentile(&edit, 0.5)),
    ]
}

/// Initializes a server and opens the three files in it; returns how long the first
/// diagnostics of `falco_rules.yaml` took.
fn open_all(
    peer: &mut Peer,
    root_uri: &str,
    options: Value,
    uris: &[String],
    texts: &[String],
) -> Result<Duration, String> {
    peer.request(
        "initialize",
        json!({"processId": null, "rootUri": root_uri,
               "workspaceFolders": [{"uri": root_uri, "name": "bench"}],
               "capabilities": {}, "initializationOptions": options}),
    )?;
    peer.notify("initialized", json!({}))?;
    let opened = Instant::now();
    for (uri, text) in uris.iter().zip(texts).rev() {
        peer.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "falco-rules", "version": 1, "text": text}}),
        )?;
    }
    peer.wait_diagnostics(&uris[0], Some(1))?;
    Ok(opened.elapsed())
}

fn report(peer: &Peer, edits: usize, open: Duration) {
    let mut times = peer.times.clone();
    times.sort();
    println!(
        "{}: didOpen (3 files) -> diagnostics of falco_rules.yaml {:.2} ms; didChange -> diagnostics, {} edits: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        peer.name,
        millis(open),
        times.len(),
        millis(percentile(&times, 0.5)),
        millis(percentile(&times, 0.95)),
        millis(percentile(&times, 1.0)),
    );
    let cpu = cpu_time(peer.child.id())
        .zip(peer.cpu_before)
        .map(|(after, before)| after.saturating_sub(before) / edits.max(1) as u32);
    if let Some(cpu) = cpu {
        println!(
            "{}: CPU time per edit (user + system): {:.2} ms",
            peer.name,
            millis(cpu)
        );
    }
    if let Some((rss, peak)) = memory(peer.child.id()) {
        println!(
            "{}: memory RSS {rss:.1} MB, peak RSS {peak:.1} MB",
            peer.name
        );
    }
}

fn bench(options: &Options) -> Result<(), String> {
    let corpus = std::fs::canonicalize(&options.corpus)
        .map_err(|error| format!("{}: {error}", options.corpus.display()))?;
    let root = std::env::temp_dir().join(format!("falco-rules-lsp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&root).map_err(|error| error.to_string())?;
    let config: String = FILES
        .iter()
        .map(|file| format!("  - {}\n", corpus.join(file).display()))
        .collect();
    std::fs::write(root.join("falco.yaml"), format!("rules_files:\n{config}"))
        .map_err(|error| error.to_string())?;
    let root_uri = format!("file://{}", root.display());
    let uris: Vec<String> = FILES
        .iter()
        .map(|file| format!("file://{}", corpus.join(file).display()))
        .collect();
    let texts: Vec<String> = FILES
        .iter()
        .map(|file| std::fs::read_to_string(corpus.join(file)).map_err(|error| error.to_string()))
        .collect::<Result<_, _>>()?;
    let load_before = load_average();

    let exe = std::env::current_exe().map_err(|error| error.to_string())?;
    let mut ours = Peer::start("falco-rules-lsp", &exe, &[], true)?;
    let settings = match options.debounce_ms {
        Some(debounce) => json!({"debounceMs": debounce}),
        None => json!({}),
    };
    let mut opens = vec![open_all(&mut ours, &root_uri, settings, &uris, &texts)?];
    let mut peers = vec![ours];
    if let Some(other) = &options.compare {
        let name = other.file_name().map_or_else(
            || "other".to_owned(),
            |name| name.to_string_lossy().into_owned(),
        );
        // falco-lang's command line: `lsp --stdio`.
        let mut theirs = Peer::start(&name, other, &["lsp", "--stdio"], false)?;
        opens.push(open_all(&mut theirs, &root_uri, json!({}), &uris, &texts)?);
        peers.push(theirs);
    }

    let edits = edits(&uris, &texts, options.edits)?;
    for peer in &mut peers {
        peer.cpu_before = cpu_time(peer.child.id());
    }
    for (index, edit) in edits.iter().enumerate() {
        let version = index as i64 + 2;
        // Alternate which server goes first.
        let count = peers.len();
        for turn in 0..count {
            let peer = &mut peers[(index + turn) % count];
            peer.edit(edit, version)?;
        }
    }
    let load_after = load_average();

    let debounce = options.debounce_ms.map_or_else(
        || "the server's default".to_owned(),
        |ms| format!("{ms} ms"),
    );
    println!(
        "files: {} (ours: load order from falco.yaml), debounce {debounce}",
        FILES.join(", "),
    );
    println!("load average (1, 5, 15 min): before {load_before}, after {load_after}");
    for (peer, open) in peers.iter().zip(&opens) {
        report(peer, edits.len(), *open);
    }
    if let [ours, theirs] = &peers[..] {
        let p = |peer: &Peer, fraction| {
            let mut times = peer.times.clone();
            times.sort();
            millis(percentile(&times, fraction))
        };
        println!(
            "ratio {} / {}: p50 {:.2}, p95 {:.2}",
            ours.name,
            theirs.name,
            p(ours, 0.5) / p(theirs, 0.5),
            p(ours, 0.95) / p(theirs, 0.95)
        );
    }
    let [full, edit] = analysis_times(&texts, 40);
    println!(
        "in-process: full analyze best {:.2} ms, median {:.2} ms; incremental analyze after an edit best {:.2} ms, median {:.2} ms",
        millis(full.0),
        millis(full.1),
        millis(edit.0),
        millis(edit.1)
    );
    for peer in peers {
        let name = peer.name.clone();
        match peer.stop() {
            Ok(status) => println!("{name}: exit status after shutdown+exit: {status}"),
            Err(error) => println!("{name}: {error}"),
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    Ok(())
}
