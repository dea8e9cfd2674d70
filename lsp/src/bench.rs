//! `falco-rules-lsp bench`: latency of the real server over stdio.
//!
//! Starts this same binary as a server child, opens the three upstream rules
//! files (load order from a generated `falco.yaml`), then times:
//! - didOpen → the first diagnostics for `falco_rules.yaml`;
//! - each didChange on `falco_rules.yaml` → its diagnostics for that version
//!   (edits alternate between breaking a field name and restoring it, so every
//!   other edit adds and removes an error);
//!
//! and reads the server's resident memory from `/proc`. The debounce is set to 0
//! (or `--debounce-ms N`), so the figures are the server's own work.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const FILES: [&str; 3] = [
    "falco_rules.yaml",
    "falco-incubating_rules.yaml",
    "falco-sandbox_rules.yaml",
];

/// Options of the bench mode.
struct Options {
    edits: usize,
    debounce_ms: u64,
    corpus: PathBuf,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        edits: 400,
        debounce_ms: 0,
        corpus: PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/upstream-rules"),
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
            "--debounce-ms" => {
                options.debounce_ms = value
                    .parse()
                    .map_err(|_| format!("bad --debounce-ms `{value}`"))?;
            }
            "--corpus" => options.corpus = PathBuf::from(value),
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

struct Peer {
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
    next_id: i64,
}

impl Peer {
    fn send(&mut self, message: &Value) -> Result<(), String> {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| self.stdin.flush())
            .map_err(|error| format!("writing to the server: {error}"))
    }

    fn receive(&mut self) -> Result<Value, String> {
        let mut length = None;
        loop {
            let mut line = String::new();
            let read = self
                .stdout
                .read_line(&mut line)
                .map_err(|error| error.to_string())?;
            if read == 0 {
                return Err("the server closed its output".to_owned());
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.ok_or("a message without Content-Length")?];
        self.stdout
            .read_exact(&mut body)
            .map_err(|error| error.to_string())?;
        serde_json::from_slice(&body).map_err(|error| error.to_string())
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
        }
    }

    fn notify(&mut self, method: &str, params: Value) -> Result<(), String> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    /// Waits for diagnostics of `uri` at `version` (any version when `None`).
    fn wait_diagnostics(&mut self, uri: &str, version: Option<i64>) -> Result<Value, String> {
        loop {
            let message = self.receive()?;
            let params = &message["params"];
            if message["method"] == "textDocument/publishDiagnostics"
                && params["uri"] == uri
                && version.is_none_or(|version| params["version"] == version)
            {
                return Ok(params["diagnostics"].clone());
            }
        }
    }
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
    let exe = std::env::current_exe().map_err(|error| error.to_string())?;
    let mut child = Command::new(exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| format!("starting the server: {error}"))?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err("no pipes to the server".to_owned());
    };
    let mut peer = Peer {
        stdin,
        stdout: BufReader::new(stdout),
        next_id: 0,
    };
    let root_uri = format!("file://{}", root.display());
    peer.request(
        "initialize",
        json!({"processId": null, "rootUri": root_uri, "capabilities": {},
               "initializationOptions": {"debounceMs": options.debounce_ms}}),
    )?;
    peer.notify("initialized", json!({}))?;

    let uris: Vec<String> = FILES
        .iter()
        .map(|file| format!("file://{}", corpus.join(file).display()))
        .collect();
    let texts: Vec<String> = FILES
        .iter()
        .map(|file| std::fs::read_to_string(corpus.join(file)).map_err(|error| error.to_string()))
        .collect::<Result<_, _>>()?;
    let opened = Instant::now();
    for (uri, text) in uris.iter().zip(&texts).rev() {
        peer.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "falco-rules", "version": 1, "text": text}}),
        )?;
    }
    peer.wait_diagnostics(&uris[0], Some(1))?;
    let open_time = opened.elapsed();

    // Break `proc.name` into `proc.namex` and back, at a condition deep in the file.
    let anchor = "(proc.name in (shell_binaries))";
    let offset = texts[0]
        .find(anchor)
        .ok_or("anchor not found in falco_rules.yaml")?
        + 10;
    let line = texts[0][..offset].matches('\n').count();
    let character = offset - texts[0][..offset].rfind('\n').map_or(0, |at| at + 1);
    let mut times = Vec::with_capacity(options.edits);
    let cpu_before = cpu_time(child.id());
    for index in 0..options.edits {
        let version = index as i64 + 2;
        let (range, text) = if index % 2 == 0 {
            (
                json!({"start": {"line": line, "character": character}, "end": {"line": line, "character": character}}),
                "x",
            )
        } else {
            (
                json!({"start": {"line": line, "character": character}, "end": {"line": line, "character": character + 1}}),
                "",
            )
        };
        let start = Instant::now();
        peer.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uris[0], "version": version},
                   "contentChanges": [{"range": range, "text": text}]}),
        )?;
        let diagnostics = peer.wait_diagnostics(&uris[0], Some(version))?;
        times.push(start.elapsed());
        let broken = diagnostics
            .as_array()
            .is_some_and(|list| list.iter().any(|d| d["code"] == "E401"));
        if broken != (index % 2 == 0) {
            return Err(format!(
                "edit {index}: unexpected diagnostics {diagnostics}"
            ));
        }
    }
    let cpu = cpu_time(child.id())
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before) / options.edits.max(1) as u32);
    let memory = memory(child.id());
    peer.request("shutdown", Value::Null)?;
    peer.notify("exit", Value::Null)?;
    let status = child.wait().map_err(|error| error.to_string())?;
    let _ = std::fs::remove_dir_all(&root);

    times.sort();
    let [full, edit] = analysis_times(&texts, 40);
    println!(
        "files: {} (load order from falco.yaml), debounce {} ms",
        FILES.join(", "),
        options.debounce_ms
    );
    println!(
        "didOpen (3 files) -> diagnostics of falco_rules.yaml: {:.2} ms",
        millis(open_time)
    );
    println!(
        "didChange -> diagnostics, {} edits: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        times.len(),
        millis(percentile(&times, 0.5)),
        millis(percentile(&times, 0.95)),
        millis(percentile(&times, 1.0)),
    );
    println!(
        "in-process: full analyze best {:.2} ms, median {:.2} ms; incremental analyze after an edit best {:.2} ms, median {:.2} ms",
        millis(full.0),
        millis(full.1),
        millis(edit.0),
        millis(edit.1)
    );
    if let Some(cpu) = cpu {
        println!(
            "server CPU time per edit (user + system): {:.2} ms",
            millis(cpu)
        );
    }
    match memory {
        Some((rss, peak)) => println!("server memory: RSS {rss:.1} MB, peak RSS {peak:.1} MB"),
        None => println!("server memory: unavailable (no /proc)"),
    }
    println!("server exit status after shutdown+exit: {status}");
    Ok(())
}
