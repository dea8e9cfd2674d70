//! The dispatcher: queues alerts to the output threads (the writer for stdout and the
//! file, HTTP, the program, syslog), each behind its own bounded queue.

use std::io;
use std::sync::atomic::AtomicU64;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::http::Poster;
use crate::program::Program;
use crate::stats::Counters;
use crate::syslog::Syslog;
use crate::writer::Writer;
use crate::{Alert, OutputStats, OutputsConfig};

/// One output thread and its queue.
struct Lane {
    name: &'static str,
    tx: SyncSender<Arc<Alert>>,
    thread: JoinHandle<()>,
    /// Counts the alerts a full queue turned away.
    dropped: fn(&Counters) -> &AtomicU64,
}

impl Lane {
    fn start(
        name: &'static str,
        capacity: usize,
        dropped: fn(&Counters) -> &AtomicU64,
        run: impl FnOnce(Receiver<Arc<Alert>>) + Send + 'static,
    ) -> io::Result<Lane> {
        let (tx, rx) = sync_channel(capacity.max(1));
        let thread = std::thread::Builder::new()
            .name(format!("falco-rt-{name}"))
            .spawn(move || run(rx))?;
        Ok(Lane {
            name,
            tx,
            thread,
            dropped,
        })
    }
}

/// The running outputs.
pub struct Outputs {
    lanes: Vec<Lane>,
    /// When delivery that waits (HTTP retries, a program) has to give up at shutdown.
    deadline: Arc<OnceLock<Instant>>,
    counters: Arc<Counters>,
}

impl Outputs {
    /// Starts a thread for each enabled output: the writer (stdout, file), HTTP, the
    /// program and syslog.
    pub fn start(cfg: &OutputsConfig) -> io::Result<Self> {
        let counters = Arc::new(Counters::default());
        let deadline = Arc::new(OnceLock::new());
        let mut lanes = Vec::new();
        if cfg.stdout || cfg.file.is_some() {
            let w = Writer {
                json: cfg.json_output,
                stdout: cfg.stdout,
                file: cfg.file.clone(),
                buffered: cfg.buffered,
                counters: counters.clone(),
            };
            lanes.push(Lane::start(
                "writer",
                cfg.queue_capacity,
                |c| &c.writer_dropped,
                move |rx| w.run(rx),
            )?);
        }
        if let Some(h) = &cfg.http {
            let p = Poster {
                cfg: h.clone(),
                counters: counters.clone(),
                deadline: deadline.clone(),
            };
            lanes.push(Lane::start(
                "http",
                h.queue_capacity,
                |c| &c.http_dropped,
                move |rx| p.run(rx),
            )?);
        }
        if let Some(program) = &cfg.program {
            let p = Program {
                cfg: program.clone(),
                json: cfg.json_output,
                buffered: cfg.buffered,
                counters: counters.clone(),
                deadline: deadline.clone(),
            };
            lanes.push(Lane::start(
                "program",
                program.queue_capacity,
                |c| &c.program_dropped,
                move |rx| p.run(rx),
            )?);
        }
        if let Some(syslog) = &cfg.syslog {
            let s = Syslog {
                cfg: syslog.clone(),
                json: cfg.json_output,
                counters: counters.clone(),
            };
            lanes.push(Lane::start(
                "syslog",
                syslog.queue_capacity,
                |c| &c.syslog_dropped,
                move |rx| s.run(rx),
            )?);
        }
        Ok(Self {
            lanes,
            deadline,
            counters,
        })
    }

    /// Queues `alert` for every enabled output; never blocks. A full queue drops the
    /// alert for that output and counts it.
    pub fn emit(&self, alert: Alert) {
        Counters::add(&self.counters.emitted);
        let alert = Arc::new(alert);
        for lane in &self.lanes {
            if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) =
                lane.tx.try_send(alert.clone())
            {
                Counters::add((lane.dropped)(&self.counters));
            }
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> OutputStats {
        self.counters.snapshot()
    }

    /// Stops taking alerts, writes out what is queued, gives delivery that waits (HTTP
    /// retries, a slow program) up to `grace`, and returns the final counters.
    pub fn shutdown(self, grace: Duration) -> OutputStats {
        let _ = self.deadline.set(Instant::now() + grace);
        for Lane {
            name, tx, thread, ..
        } in self.lanes
        {
            drop(tx);
            if thread.join().is_err() {
                eprintln!("falco-rt: the {name} output thread panicked");
            }
        }
        self.counters.snapshot()
    }
}
