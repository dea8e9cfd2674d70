//! The stdout and file writer thread.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

use crate::Alert;
use crate::config::FileOutput;
use crate::stats::Counters;

/// What the writer writes where.
pub(crate) struct Writer {
    pub(crate) json: bool,
    pub(crate) stdout: bool,
    pub(crate) file: Option<FileOutput>,
    pub(crate) buffered: bool,
    pub(crate) counters: Arc<Counters>,
}

impl Writer {
    /// Writes every alert received until the sender side closes, then flushes.
    pub(crate) fn run(self, rx: Receiver<Arc<Alert>>) {
        let mut out = BufWriter::with_capacity(64 * 1024, io::stdout());
        let mut file: Option<BufWriter<File>> = None;
        let mut file_error_reported = false;
        loop {
            let alert = match rx.try_recv() {
                Ok(a) => a,
                Err(TryRecvError::Empty) => {
                    // Nothing pending: a buffered writer flushes now, before it waits.
                    self.flush(&mut out, &mut file);
                    match rx.recv() {
                        Ok(a) => a,
                        Err(_) => break,
                    }
                }
                Err(TryRecvError::Disconnected) => break,
            };
            let line = if self.json { &alert.json } else { &alert.text };
            if self.stdout && writeln!(out, "{line}").is_err() {
                Counters::add(&self.counters.write_errors);
            }
            if let Some(cfg) = &self.file {
                match self.write_file(cfg, &mut file, line) {
                    Ok(()) => {}
                    Err(e) => {
                        Counters::add(&self.counters.write_errors);
                        if !file_error_reported {
                            eprintln!("falco-rt: file output {}: {e}", cfg.path.display());
                            file_error_reported = true;
                        }
                    }
                }
            }
            if !self.buffered {
                self.flush(&mut out, &mut file);
            }
        }
        self.flush(&mut out, &mut file);
    }

    fn write_file(
        &self,
        cfg: &FileOutput,
        file: &mut Option<BufWriter<File>>,
        line: &str,
    ) -> io::Result<()> {
        if file.is_none() {
            *file = Some(BufWriter::new(open_append(&cfg.path)?));
        }
        if let Some(f) = file.as_mut() {
            writeln!(f, "{line}")?;
            if !cfg.keep_alive {
                // Falco reopens the file for every alert without keep_alive, so a rotated
                // file is picked up at once.
                f.flush()?;
                *file = None;
            }
        }
        Ok(())
    }

    fn flush(&self, out: &mut BufWriter<io::Stdout>, file: &mut Option<BufWriter<File>>) {
        if out.flush().is_err() {
            Counters::add(&self.counters.write_errors);
        }
        if let Some(f) = file.as_mut()
            && f.flush().is_err()
        {
            Counters::add(&self.counters.write_errors);
        }
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}
