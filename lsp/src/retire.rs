//! Freeing replaced analyses off the path of an edit's diagnostics.
//!
//! Freeing a whole [`Analysis`] (every item, tree and map of three rules files)
//! takes a noticeable part of a re-analysis; nothing waits for it, so a thread of
//! its own does it while the new diagnostics are being published.

use std::sync::mpsc::{Sender, channel};

use falco_analysis::Analysis;

/// Hands analyses to the freeing thread, started on first use.
#[derive(Default)]
pub struct Retire {
    to_thread: Option<Sender<Analysis>>,
}

impl Retire {
    /// Frees `old` on the freeing thread, or here when that thread cannot run.
    pub fn retire(&mut self, old: Analysis) {
        if self.to_thread.is_none() {
            let (sender, receiver) = channel::<Analysis>();
            let started = std::thread::Builder::new()
                .name("free-analysis".to_owned())
                .spawn(move || receiver.into_iter().for_each(drop));
            self.to_thread = started.is_ok().then_some(sender);
        }
        match &self.to_thread {
            Some(sender) => {
                if let Err(unsent) = sender.send(old) {
                    self.to_thread = None;
                    drop(unsent.0);
                }
            }
            None => drop(old),
        }
    }
}
