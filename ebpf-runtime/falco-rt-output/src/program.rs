//! `program_output`: alerts written, one line each, to the standard input of a shell
//! command, as Falco does with `popen(program, "w")`.
//!
//! With `keep_alive` the program is started once and receives every alert; it is started
//! again when it has exited. Without it, the program is started for each alert, gets the
//! line and end-of-file, and is waited for, as Falco's `pclose` waits. The program's own
//! output goes to the agent's standard output and error.

use std::io::{self, BufWriter, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::Alert;
use crate::config::ProgramOutput;
use crate::stats::Counters;

/// A started program and its input.
struct Running {
    child: Child,
    input: BufWriter<ChildStdin>,
}

pub(crate) struct Program {
    pub(crate) cfg: ProgramOutput,
    pub(crate) json: bool,
    pub(crate) buffered: bool,
    pub(crate) counters: Arc<Counters>,
    /// Set by shutdown: a program still running after this instant is killed.
    pub(crate) deadline: Arc<OnceLock<Instant>>,
}

impl Program {
    /// Writes every alert received until the sender side closes, then ends the program.
    pub(crate) fn run(self, rx: Receiver<Arc<Alert>>) {
        let mut running: Option<Running> = None;
        let mut last_error: Option<String> = None;
        loop {
            let alert = match rx.try_recv() {
                Ok(a) => a,
                Err(TryRecvError::Empty) => {
                    self.flush(&mut running);
                    match rx.recv() {
                        Ok(a) => a,
                        Err(_) => break,
                    }
                }
                Err(TryRecvError::Disconnected) => break,
            };
            let line = if self.json { &alert.json } else { &alert.text };
            match self.deliver(&mut running, line) {
                Ok(()) => {
                    Counters::add(&self.counters.program_sent);
                    if let Some(e) = last_error.take() {
                        eprintln!("falco-rt: program output recovered after: {e}");
                    }
                }
                Err(e) => {
                    Counters::add(&self.counters.program_failed);
                    let e = e.to_string();
                    if last_error.as_deref() != Some(e.as_str()) {
                        eprintln!(
                            "falco-rt: program output `{}`: alert `{}` not delivered: {e}",
                            self.cfg.command, alert.rule
                        );
                    }
                    last_error = Some(e);
                    if let Some(r) = running.take() {
                        self.finish(r);
                    }
                }
            }
        }
        if let Some(r) = running.take() {
            self.finish(r);
        }
    }

    fn deliver(&self, running: &mut Option<Running>, line: &str) -> io::Result<()> {
        if running.is_none() {
            *running = Some(self.start()?);
        }
        let Some(r) = running.as_mut() else {
            return Ok(());
        };
        writeln!(r.input, "{line}")?;
        if !self.cfg.keep_alive {
            r.input.flush()?;
            if let Some(r) = running.take() {
                self.finish(r);
            }
        } else if !self.buffered {
            r.input.flush()?;
        }
        Ok(())
    }

    fn start(&self) -> io::Result<Running> {
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(&self.cfg.command)
            .stdin(Stdio::piped())
            // A group of its own, so that the whole pipeline can be stopped.
            .process_group(0)
            .spawn()?;
        let input = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("the program has no standard input"))?;
        Ok(Running {
            child,
            input: BufWriter::new(input),
        })
    }

    fn flush(&self, running: &mut Option<Running>) {
        if let Some(r) = running.as_mut()
            && r.input.flush().is_err()
        {
            Counters::add(&self.counters.program_failed);
            if let Some(r) = running.take() {
                self.finish(r);
            }
        }
    }

    /// Closes the program's input and waits for it to exit; past shutdown's deadline its
    /// process group is killed (the shell and what it started), so a program that never
    /// ends cannot hold the agent.
    fn finish(&self, r: Running) {
        let Running { mut child, input } = r;
        drop(input);
        loop {
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) => {}
            }
            if self.deadline.get().is_some_and(|d| Instant::now() >= *d) {
                let group = rustix::process::Pid::from_child(&child);
                let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}
