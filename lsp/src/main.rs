//! `falco-rules-lsp`: the language server for Falco rules files, on stdio.
//!
//! `falco-rules-lsp [--stdio]` serves; `falco-rules-lsp bench` runs the latency
//! benchmark (see `docs/perf.md`). The exit code is 0 when the client sent
//! `shutdown` before `exit`, 1 otherwise, as the protocol asks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use falco_rules_lsp::framing;

/// mimalloc instead of glibc's malloc: an edit allocates and frees many small
/// objects (items, trees, maps), and glibc's free and consolidation were about a
/// third of the server's CPU per edit.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What `--help` prints.
const HELP: &str = "\
The language server for Falco rules files: diagnostics, hover, completion, navigation,
rename, code actions and formatting over the Language Server Protocol on stdio.

Usage: falco-rules-lsp [--stdio]
       falco-rules-lsp bench [--edits N] [--debounce-ms N|default] [--compare SERVER]

Commands:
  bench  Measure diagnostic latency over scripted edits (docs/perf.md)

Options:
  --stdio        Serve on stdin and stdout (the default)
  -h, --help     Print help
  -V, --version  Print version

Exit codes:
  0  the client sent `shutdown` before `exit` (or help or version was printed)
  1  the client exited without `shutdown`, or the server could not start
  2  an unknown argument
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("--stdio") => std::process::exit(serve()),
        Some("bench") => std::process::exit(falco_rules_lsp::bench::run(&args[1..])),
        Some("-V" | "--version") => println!("falco-rules-lsp {}", env!("CARGO_PKG_VERSION")),
        Some("-h" | "--help") => print!("{HELP}"),
        Some(other) => {
            eprintln!("falco-rules-lsp: unknown argument `{other}` (see `falco-rules-lsp --help`)");
            std::process::exit(2);
        }
    }
}

fn serve() -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("falco-rules-lsp: cannot start the async runtime: {error}");
            return 1;
        }
    };
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&shut_down);
    runtime.block_on(async move {
        let (service, socket) = falco_rules_lsp::server::service(flag);
        // tower-lsp reads what the framing layer passes on (see `framing`); when
        // stdin ends, so does the pipe.
        let (pipe_in, pipe_out) = tokio::io::duplex(64 << 10);
        tokio::spawn(async move {
            if let Err(error) = framing::forward(tokio::io::stdin(), pipe_in).await {
                eprintln!("falco-rules-lsp: reading stdin: {error}");
            }
        });
        tower_lsp_server::Server::new(pipe_out, tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    // The framing task may be in a read of stdin that cannot be cancelled (the
    // client need not close it after `exit`): do not wait for it.
    runtime.shutdown_background();
    if shut_down.load(Ordering::SeqCst) {
        0
    } else {
        1
    }
}
