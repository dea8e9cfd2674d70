//! The `falco-rulec` binary; everything lives in [`falco_rulec::cli`].

/// mimalloc instead of glibc's malloc: `replay` allocates and frees a few small objects
/// per event, and glibc's malloc and free were about a tenth of its CPU (`docs/perf.md`,
/// "Replay").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    falco_rulec::cli::main()
}
