//! Loading, attaching, syscall selection, counters and ring draining.

use std::collections::BTreeSet;
use std::os::fd::AsFd;
use std::time::Duration;

use aya::maps::{Array, HashMap, MapData, PerCpuArray, RingBuf};
use aya::programs::RawTracePoint;
use aya::{Ebpf, EbpfLoader};
use falco_rt_ebpf::{COMPAT_PROGRAM, LIFECYCLE_PROGRAMS, globals, maps};
use falco_rt_record::{Counter, DecodeError, Event, MAX_SYSCALLS, decode};
use rustix::event::{PollFd, PollFlags, poll};

use crate::compat;
use crate::hooks::{Hooks, program};
use crate::{Attach, CaptureConfig, CaptureError, syscalls};

/// Most records one [`Capture::poll`] call hands out before returning.
const MAX_BATCH: usize = 65_536;

/// Sums of the per-CPU counters kept by the kernel program.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Records written to the ring.
    pub submitted: u64,
    /// Records lost because the ring was full.
    pub dropped: u64,
    /// `sys_exit` without a matching `sys_enter` (normal right after attach).
    pub unpaired: u64,
}

/// A loaded and attached capture program.
///
/// Dropping it detaches the programs and frees the maps.
pub struct Capture {
    ring: RingBuf<MapData>,
    interest: Array<MapData, u32>,
    counters: PerCpuArray<MapData, u64>,
    selected: BTreeSet<u32>,
    hooks: Hooks,
    flush_interval: Duration,
    decode_errors: u64,
    /// Whether the 32-bit syscall hook is attached, or why not.
    compat: Result<(), String>,
    // Owns the programs and their links; keep it last so the maps above are
    // released after the programs detach.
    bpf: Ebpf,
}

impl Capture {
    /// Loads the program, selects `syscalls` (names, see [`syscalls::X86_64`]) and attaches.
    pub fn start(config: &CaptureConfig, syscalls: &[&str]) -> Result<Self, CaptureError> {
        let nrs = syscalls::resolve(syscalls)?;
        let own_tgid: u32 = if config.ignore_own_process {
            std::process::id()
        } else {
            0
        };
        let only_tree = config.only_tree.unwrap_or(0);
        let mut bpf = EbpfLoader::new()
            .override_global(globals::OWN_TGID, &own_tgid, true)
            .override_global(globals::ONLY_TREE, &only_tree, true)
            .override_global(globals::WAKEUP_BYTES, &config.wakeup_bytes, true)
            .map_max_entries(maps::EVENTS, config.ring_bytes)
            .load(falco_rt_ebpf::object())
            .map_err(|e| CaptureError::kernel("load eBPF object", &e))?;

        let take = |bpf: &mut Ebpf, name: &str| {
            bpf.take_map(name).ok_or_else(|| CaptureError::Kernel {
                step: format!("map `{name}`"),
                detail: "missing from the object".into(),
            })
        };
        let ring = RingBuf::try_from(take(&mut bpf, maps::EVENTS)?)
            .map_err(|e| CaptureError::kernel("ring buffer map", &e))?;
        let interest = Array::try_from(take(&mut bpf, maps::INTEREST)?)
            .map_err(|e| CaptureError::kernel("interest map", &e))?;
        let counters = PerCpuArray::try_from(take(&mut bpf, maps::COUNTERS)?)
            .map_err(|e| CaptureError::kernel("counters map", &e))?;
        if only_tree != 0 {
            let mut tree: HashMap<&mut MapData, u32, u8> = HashMap::try_from(
                bpf.map_mut(maps::TREE)
                    .ok_or_else(|| CaptureError::Kernel {
                        step: format!("map `{}`", maps::TREE),
                        detail: "missing from the object".into(),
                    })?,
            )
            .map_err(|e| CaptureError::kernel("tree map", &e))?;
            tree.insert(only_tree, 1, 0)
                .map_err(|e| CaptureError::kernel("tree root", &e))?;
        }
        let mut compat: Array<MapData, u32> = Array::try_from(take(&mut bpf, maps::COMPAT_NR)?)
            .map_err(|e| CaptureError::kernel("compat_nr map", &e))?;

        let mut cap = Self {
            ring,
            interest,
            counters,
            selected: BTreeSet::new(),
            hooks: Hooks::new(config.attach),
            flush_interval: config.flush_interval,
            decode_errors: 0,
            compat: Err(String::new()),
            bpf,
        };
        cap.select_numbers(&nrs)?;
        cap.compat = if config.ia32 {
            cap.attach_compat(&mut compat)?
        } else {
            Err("not asked for".into())
        };
        for &(name, tp) in LIFECYCLE_PROGRAMS {
            let p: &mut RawTracePoint = program(&mut cap.bpf, name)?;
            p.attach(tp)
                .map_err(|e| CaptureError::kernel(format!("attach `{name}` to {tp}"), &e))?;
        }
        Ok(cap)
    }

    /// The hook layout serving the current selection: the configured one, or
    /// [`Attach::ExitOnly`] when [`Attach::PerSyscall`] fell back (see [`Capture::fallback`]).
    pub fn attach_mode(&self) -> Attach {
        self.hooks.mode()
    }

    /// Why the configured [`Attach::PerSyscall`] layout is not serving the
    /// current selection (tracefs unavailable, a syscall without an exit
    /// tracepoint on this kernel, an attach refused); `None` when it is, or
    /// when another layout was configured.
    pub fn fallback(&self) -> Option<&str> {
        self.hooks.fallback()
    }

    /// The hooks serving the current selection in words, fallback reason
    /// included, and whether 32-bit syscalls are captured (for the agent's log).
    pub fn describe_hooks(&self) -> String {
        match &self.compat {
            Ok(()) => format!(
                "{}, and 32-bit syscalls on the raw sys_exit hook",
                self.hooks.describe()
            ),
            Err(why) => format!("{} (32-bit syscalls: {why})", self.hooks.describe()),
        }
    }

    /// Whether 32-bit (ia32) syscalls are captured; `Err` says why not (the kernel
    /// runs no 32-bit code).
    pub fn compat(&self) -> Result<(), &str> {
        self.compat.as_ref().map(|_| ()).map_err(String::as_str)
    }

    /// Fills the ia32 number map and attaches the 32-bit syscall hook when the kernel
    /// runs ia32 code; `Ok(Err(why))` when it does not.
    fn attach_compat(
        &mut self,
        map: &mut Array<MapData, u32>,
    ) -> Result<Result<(), String>, CaptureError> {
        if let Err(why) = compat::kernel_runs_ia32() {
            return Ok(Err(why));
        }
        for nr32 in 0..MAX_SYSCALLS {
            if let Some(twin) = syscalls::ia32_twin(nr32) {
                map.set(nr32, twin + 1, 0)
                    .map_err(|e| CaptureError::kernel(format!("compat_nr {nr32}"), &e))?;
            }
        }
        let (name, tp) = COMPAT_PROGRAM;
        let p: &mut RawTracePoint = program(&mut self.bpf, name)?;
        p.attach(tp)
            .map_err(|e| CaptureError::kernel(format!("attach `{name}` to {tp}"), &e))?;
        Ok(Ok(()))
    }

    /// Replaces the captured syscall set (by name); takes effect immediately.
    /// With [`Attach::PerSyscall`] this attaches and detaches tracepoints, and
    /// may move the whole selection to or from the global hook.
    pub fn select(&mut self, syscalls: &[&str]) -> Result<(), CaptureError> {
        let nrs = syscalls::resolve(syscalls)?;
        self.select_numbers(&nrs)
    }

    /// Replaces the captured syscall set (by x86_64 number).
    pub fn select_numbers(&mut self, nrs: &[u32]) -> Result<(), CaptureError> {
        let want: BTreeSet<u32> = nrs.iter().copied().filter(|&n| n < MAX_SYSCALLS).collect();
        self.hooks.apply(&mut self.bpf, &mut self.interest, &want)?;
        self.selected = want;
        Ok(())
    }

    /// The syscall numbers currently captured.
    pub fn selected(&self) -> impl Iterator<Item = u32> + '_ {
        self.selected.iter().copied()
    }

    /// Kernel counters summed over CPUs.
    pub fn counters(&self) -> Result<Counters, CaptureError> {
        let sum = |c: Counter| -> Result<u64, CaptureError> {
            let v = self
                .counters
                .get(&(c as u32), 0)
                .map_err(|e| CaptureError::kernel("read counters", &e))?;
            Ok(v.iter().fold(0u64, |a, b| a.wrapping_add(*b)))
        };
        Ok(Counters {
            submitted: sum(Counter::Submitted)?,
            dropped: sum(Counter::Dropped)?,
            unpaired: sum(Counter::Unpaired)?,
        })
    }

    /// Records that did not decode so far (they are skipped; see [`Capture::poll`]).
    pub fn decode_errors(&self) -> u64 {
        self.decode_errors
    }

    /// Hands every pending record to `f`, waiting up to `timeout` (at most the
    /// flush interval) for the first one. Returns the number of records read.
    /// Records that fail to decode are passed as `Err` and counted.
    pub fn poll(
        &mut self,
        timeout: Duration,
        mut f: impl FnMut(Result<Event<'_>, DecodeError>),
    ) -> Result<usize, CaptureError> {
        let mut n = self.drain(&mut f);
        if n == 0 {
            self.wait(timeout)?;
            n = self.drain(&mut f);
        }
        Ok(n)
    }

    /// Like [`Capture::poll`], but hands out the raw record bytes undecoded
    /// (for recording to a file, or to measure the ring alone).
    pub fn poll_raw(
        &mut self,
        timeout: Duration,
        mut f: impl FnMut(&[u8]),
    ) -> Result<usize, CaptureError> {
        let mut n = self.drain_raw(&mut f);
        if n == 0 {
            self.wait(timeout)?;
            n = self.drain_raw(&mut f);
        }
        Ok(n)
    }

    fn wait(&self, timeout: Duration) -> Result<(), CaptureError> {
        let wait = timeout.min(self.flush_interval);
        let ts = rustix::time::Timespec {
            tv_sec: wait.as_secs().try_into().unwrap_or(i64::MAX),
            tv_nsec: wait.subsec_nanos().into(),
        };
        let fd = self.ring.as_fd();
        let mut fds = [PollFd::new(&fd, PollFlags::IN)];
        match poll(&mut fds, Some(&ts)) {
            Ok(_) | Err(rustix::io::Errno::INTR) => Ok(()),
            Err(e) => Err(CaptureError::Io(e.into())),
        }
    }

    fn drain_raw(&mut self, f: &mut impl FnMut(&[u8])) -> usize {
        let mut n = 0;
        while n < MAX_BATCH {
            let Some(item) = self.ring.next() else { break };
            f(&item);
            n += 1;
        }
        n
    }

    fn drain(&mut self, f: &mut impl FnMut(Result<Event<'_>, DecodeError>)) -> usize {
        let mut n = 0;
        while n < MAX_BATCH {
            let Some(item) = self.ring.next() else { break };
            let ev = decode(&item);
            if ev.is_err() {
                self.decode_errors += 1;
            }
            f(ev);
            n += 1;
        }
        n
    }
}
