//! The `falco-rulec` binary; everything lives in [`falco_rulec::cli`].

fn main() -> std::process::ExitCode {
    falco_rulec::cli::main()
}
