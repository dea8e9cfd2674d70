//! `falco-rules-lsp`: the language server for Falco rules files (being built, issue 5).

fn main() {
    eprintln!("falco-rules-lsp: not built yet");
    std::process::exit(2);
}
