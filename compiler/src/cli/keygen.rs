//! `falco-rulec keygen -o NAME`: a new ed25519 key pair, `NAME.key` (private, PKCS#8
//! PEM, mode 0600) and `NAME.pub` (public, PEM). Existing files are not overwritten.
//! Exit codes: 0 written, 2 a file exists or cannot be written.

use std::io::Write;
use std::path::PathBuf;

use super::{EXIT_OK, EXIT_USAGE};

/// Arguments of `falco-rulec keygen`.
#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// The path prefix of the two files (`NAME.key`, `NAME.pub`).
    #[arg(short, long, value_name = "NAME")]
    pub output: PathBuf,
}

fn create(path: &std::path::Path, mode: u32, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    f.write_all(text.as_bytes())
}

pub(super) fn run(args: &KeygenArgs) -> u8 {
    let pair = match falco_registry::signature::generate() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let with = |ext: &str| {
        let mut p = args.output.as_os_str().to_owned();
        p.push(ext);
        PathBuf::from(p)
    };
    let (private, public) = (with(".key"), with(".pub"));
    for (path, mode, text) in [
        (&private, 0o600, &pair.private_pem),
        (&public, 0o644, &pair.public_pem),
    ] {
        if let Err(e) = create(path, mode, text) {
            eprintln!("error: cannot create `{}`: {e}", path.display());
            return EXIT_USAGE;
        }
    }
    eprintln!(
        "wrote {} (private: keep it out of the cluster) and {} (public: give it to falco-rt --verify-key)",
        private.display(),
        public.display()
    );
    EXIT_OK
}
