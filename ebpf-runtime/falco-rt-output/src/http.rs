//! HTTP delivery: one thread posts queued alerts, retrying with backoff.

use std::sync::mpsc::Receiver;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::Alert;
use crate::config::HttpOutput;
use crate::stats::Counters;

/// Outcome of one attempt.
enum Attempt {
    Delivered,
    /// Worth retrying: connection trouble, timeouts, 5xx, 429.
    Retry(String),
    /// Refused for good (4xx other than 408/429): retrying would get the same answer.
    Refused(String),
}

pub(crate) struct Poster {
    pub(crate) cfg: HttpOutput,
    pub(crate) counters: Arc<Counters>,
    /// Set by shutdown: attempts stop after this instant.
    pub(crate) deadline: Arc<OnceLock<Instant>>,
}

impl Poster {
    pub(crate) fn run(self, rx: Receiver<Arc<Alert>>) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(self.cfg.timeout))
            .http_status_as_error(false)
            .user_agent(self.cfg.user_agent.as_str())
            .build()
            .into();
        let mut last_error: Option<String> = None;
        while let Ok(alert) = rx.recv() {
            match self.deliver(&agent, &alert) {
                Ok(()) => {
                    Counters::add(&self.counters.http_sent);
                    if let Some(e) = last_error.take() {
                        eprintln!("falco-rt: http output recovered after: {e}");
                    }
                }
                Err(e) => {
                    Counters::add(&self.counters.http_failed);
                    if last_error.as_deref() != Some(e.as_str()) {
                        eprintln!(
                            "falco-rt: http output {}: alert `{}` not delivered: {e}",
                            self.cfg.url, alert.rule
                        );
                    }
                    last_error = Some(e);
                }
            }
        }
    }

    fn past_deadline(&self) -> bool {
        self.deadline.get().is_some_and(|d| Instant::now() >= *d)
    }

    fn deliver(&self, agent: &ureq::Agent, alert: &Alert) -> Result<(), String> {
        let mut backoff = self.cfg.initial_backoff;
        let mut attempt = 1;
        loop {
            if self.past_deadline() {
                return Err("shutting down".into());
            }
            match self.post(agent, alert) {
                Attempt::Delivered => return Ok(()),
                Attempt::Refused(e) => return Err(e),
                Attempt::Retry(e) if attempt >= self.cfg.max_attempts => {
                    return Err(format!("{e} (after {attempt} attempts)"));
                }
                Attempt::Retry(_) => {
                    Counters::add(&self.counters.http_retries);
                    self.sleep(backoff);
                    backoff = (backoff * 2).min(self.cfg.max_backoff);
                    attempt += 1;
                }
            }
        }
    }

    /// Sleeps `d`, waking early once shutdown's deadline has passed.
    fn sleep(&self, d: Duration) {
        let end = Instant::now() + d;
        while Instant::now() < end && !self.past_deadline() {
            std::thread::sleep((end - Instant::now()).min(Duration::from_millis(20)));
        }
    }

    fn post(&self, agent: &ureq::Agent, alert: &Alert) -> Attempt {
        let resp = agent
            .post(self.cfg.url.as_str())
            .header("Content-Type", "application/json")
            .send(alert.json.as_bytes());
        match resp {
            Ok(r) => {
                let status = r.status().as_u16();
                match status {
                    200..=299 => Attempt::Delivered,
                    408 | 429 | 500..=599 => Attempt::Retry(format!("HTTP status {status}")),
                    _ => Attempt::Refused(format!("HTTP status {status}")),
                }
            }
            Err(e) => Attempt::Retry(e.to_string()),
        }
    }
}
