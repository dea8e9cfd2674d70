//! The dispatcher: queues alerts to the writer and HTTP threads.

use std::io;
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::http::Poster;
use crate::stats::Counters;
use crate::writer::Writer;
use crate::{Alert, OutputStats, OutputsConfig};

struct Lane {
    tx: SyncSender<Arc<Alert>>,
    thread: JoinHandle<()>,
}

/// The running outputs.
pub struct Outputs {
    writer: Option<Lane>,
    http: Option<Lane>,
    http_deadline: Arc<OnceLock<Instant>>,
    counters: Arc<Counters>,
}

impl Outputs {
    /// Starts the writer thread (when stdout or a file is on) and the HTTP thread (when
    /// `http` is set).
    pub fn start(cfg: &OutputsConfig) -> io::Result<Self> {
        let counters = Arc::new(Counters::default());
        let writer = if cfg.stdout || cfg.file.is_some() {
            let (tx, rx) = sync_channel(cfg.queue_capacity.max(1));
            let w = Writer {
                json: cfg.json_output,
                stdout: cfg.stdout,
                file: cfg.file.clone(),
                buffered: cfg.buffered,
                counters: counters.clone(),
            };
            let thread = std::thread::Builder::new()
                .name("falco-rt-writer".into())
                .spawn(move || w.run(rx))?;
            Some(Lane { tx, thread })
        } else {
            None
        };
        let http_deadline = Arc::new(OnceLock::new());
        let http = match &cfg.http {
            Some(h) => {
                let (tx, rx) = sync_channel(h.queue_capacity.max(1));
                let p = Poster {
                    cfg: h.clone(),
                    counters: counters.clone(),
                    deadline: http_deadline.clone(),
                };
                let thread = std::thread::Builder::new()
                    .name("falco-rt-http".into())
                    .spawn(move || p.run(rx))?;
                Some(Lane { tx, thread })
            }
            None => None,
        };
        Ok(Self {
            writer,
            http,
            http_deadline,
            counters,
        })
    }

    /// Queues `alert` for every enabled output; never blocks. A full queue drops the
    /// alert for that output and counts it.
    pub fn emit(&self, alert: Alert) {
        Counters::add(&self.counters.emitted);
        let alert = Arc::new(alert);
        if let Some(w) = &self.writer
            && let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) =
                w.tx.try_send(alert.clone())
        {
            Counters::add(&self.counters.writer_dropped);
        }
        if let Some(h) = &self.http
            && let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) = h.tx.try_send(alert)
        {
            Counters::add(&self.counters.http_dropped);
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> OutputStats {
        self.counters.snapshot()
    }

    /// Stops taking alerts, writes out what is queued, gives HTTP delivery up to `grace`
    /// to post what is queued, and returns the final counters.
    pub fn shutdown(mut self, grace: Duration) -> OutputStats {
        if let Some(Lane { tx, thread }) = self.writer.take() {
            drop(tx);
            if thread.join().is_err() {
                eprintln!("falco-rt: the output writer thread panicked");
            }
        }
        if let Some(Lane { tx, thread }) = self.http.take() {
            drop(tx);
            let _ = self.http_deadline.set(Instant::now() + grace);
            if thread.join().is_err() {
                eprintln!("falco-rt: the http output thread panicked");
            }
        }
        self.counters.snapshot()
    }
}
