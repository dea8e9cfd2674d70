//! `syslog_output`: alerts sent to the local syslog daemon, as Falco's `syslog()` call
//! sends them: facility `user`, the alert's priority as the severity, the alert line as
//! the message (RFC 3164 framing, through the `fasyslog` crate).

use std::sync::Arc;
use std::sync::mpsc::Receiver;

use fasyslog::Severity;
use fasyslog::sender::SyslogSender;

use crate::Alert;
use crate::config::SyslogOutput;
use crate::stats::Counters;

pub(crate) struct Syslog {
    pub(crate) cfg: SyslogOutput,
    pub(crate) json: bool,
    pub(crate) counters: Arc<Counters>,
}

impl Syslog {
    /// Sends every alert received until the sender side closes. The socket is opened at
    /// the first alert and again after a failure.
    pub(crate) fn run(self, rx: Receiver<Arc<Alert>>) {
        let mut sender: Option<SyslogSender> = None;
        let mut last_error: Option<String> = None;
        while let Ok(alert) = rx.recv() {
            let line = if self.json { &alert.json } else { &alert.text };
            let severity = Severity::try_from(alert.severity).unwrap_or(Severity::DEBUG);
            let sent = match sender.as_mut() {
                Some(s) => Ok(s),
                None => fasyslog::sender::unix(&self.cfg.socket).map(|s| sender.insert(s)),
            }
            .and_then(|s| {
                s.send_rfc3164(severity, line)?;
                s.flush()
            });
            match sent {
                Ok(()) => {
                    Counters::add(&self.counters.syslog_sent);
                    if let Some(e) = last_error.take() {
                        eprintln!("falco-rt: syslog output recovered after: {e}");
                    }
                }
                Err(e) => {
                    Counters::add(&self.counters.syslog_failed);
                    sender = None;
                    let e = e.to_string();
                    if last_error.as_deref() != Some(e.as_str()) {
                        eprintln!(
                            "falco-rt: syslog output {}: alert `{}` not delivered: {e}",
                            self.cfg.socket.display(),
                            alert.rule
                        );
                    }
                    last_error = Some(e);
                }
            }
        }
    }
}
