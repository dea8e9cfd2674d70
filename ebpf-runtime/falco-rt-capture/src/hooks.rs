//! Which syscall hooks are attached, and moving the selection between them.
//!
//! The `interest` map names, per syscall, the one hook that emits it
//! (`falco_rt_ebpf::interest`). A change of selection attaches what the new
//! selection needs first, then rewrites the map, then detaches what is no
//! longer needed, so a syscall that stays selected is neither missed nor
//! emitted twice while it moves between the per-syscall and the global hook.

use std::collections::{BTreeMap, BTreeSet};

use aya::Ebpf;
use aya::maps::{Array, MapData};
use aya::programs::raw_trace_point::RawTracePointLinkId;
use aya::programs::trace_point::TracePointLinkId;
use aya::programs::{Program, RawTracePoint, TracePoint};
use falco_rt_ebpf::{ENTER_EXIT_PROGRAMS, EXIT_ONLY_PROGRAMS, PER_SYSCALL_PROGRAM, interest};

use crate::tracefs::{self, Tracefs};
use crate::{Attach, CaptureError, syscalls};

/// The attached syscall hooks and the interest values written so far.
pub(crate) struct Hooks {
    attach: Attach,
    /// For [`Attach::PerSyscall`]: the tracefs directory (unmounted on drop when the
    /// capture mounted it), or why there is none.
    tracefs: Result<Tracefs, String>,
    global: Vec<(&'static str, RawTracePointLinkId)>,
    per_syscall: BTreeMap<u32, TracePointLinkId>,
    /// Non-zero interest values, by syscall number.
    values: BTreeMap<u32, u32>,
    fallback: Option<String>,
}

impl Hooks {
    /// Nothing attached yet; finds or mounts tracefs for [`Attach::PerSyscall`].
    pub(crate) fn new(attach: Attach) -> Self {
        let tracefs = match attach {
            Attach::PerSyscall => tracefs::find_or_mount(),
            Attach::EnterExit | Attach::ExitOnly => Err("not used".into()),
        };
        Self {
            attach,
            tracefs,
            global: Vec::new(),
            per_syscall: BTreeMap::new(),
            values: BTreeMap::new(),
            fallback: None,
        }
    }

    /// The layout in use for the current selection.
    pub(crate) fn mode(&self) -> Attach {
        match (self.attach, &self.fallback) {
            (Attach::PerSyscall, Some(_)) => Attach::ExitOnly,
            (mode, _) => mode,
        }
    }

    /// Why [`Attach::PerSyscall`] was asked for but the global hook serves the
    /// current selection.
    pub(crate) fn fallback(&self) -> Option<&str> {
        self.fallback.as_deref()
    }

    /// The hooks serving the current selection, for a log line.
    pub(crate) fn describe(&self) -> String {
        match (self.mode(), &self.fallback) {
            (_, Some(why)) => format!("the global sys_exit hook (per-syscall tracepoints: {why})"),
            (Attach::PerSyscall, None) => "per-syscall exit tracepoints".into(),
            (Attach::ExitOnly, None) => "the global sys_exit hook".into(),
            (Attach::EnterExit, None) => "the global sys_enter and sys_exit hooks".into(),
        }
    }

    /// Makes `want` (syscall numbers below the interest map size) the captured set.
    pub(crate) fn apply(
        &mut self,
        bpf: &mut Ebpf,
        map: &mut Array<MapData, u32>,
        want: &BTreeSet<u32>,
    ) -> Result<(), CaptureError> {
        let value = match self.attach {
            Attach::PerSyscall => match self.attach_per_syscall(bpf, want) {
                Ok(()) => {
                    self.fallback = None;
                    interest::TRACEPOINT
                }
                Err(why) => {
                    self.fallback = Some(why);
                    interest::GLOBAL
                }
            },
            Attach::EnterExit | Attach::ExitOnly => interest::GLOBAL,
        };
        if value == interest::GLOBAL {
            self.attach_global(bpf)?;
        }
        for &nr in want {
            if self.values.get(&nr) != Some(&value) {
                write(map, nr, value)?;
                self.values.insert(nr, value);
            }
        }
        let dropped: Vec<u32> = self
            .values
            .keys()
            .copied()
            .filter(|nr| !want.contains(nr))
            .collect();
        for nr in dropped {
            write(map, nr, interest::OFF)?;
            self.values.remove(&nr);
        }
        self.detach_unused(bpf)
    }

    /// Attaches the tracepoint of every wanted syscall not attached yet; `Err`
    /// (why the global hook must serve this selection) on the first that cannot be.
    fn attach_per_syscall(&mut self, bpf: &mut Ebpf, want: &BTreeSet<u32>) -> Result<(), String> {
        let dir = &self.tracefs.as_ref().map_err(Clone::clone)?.dir;
        let mut events = Vec::new();
        for &nr in want.iter().filter(|nr| !self.per_syscall.contains_key(nr)) {
            let name = syscalls::name(nr).ok_or_else(|| format!("syscall {nr} has no name"))?;
            let event = tracefs::exit_event(dir, name).ok_or_else(|| {
                format!("syscall `{name}` has no syscalls/sys_exit_* tracepoint on this kernel")
            })?;
            events.push((nr, event));
        }
        if events.is_empty() {
            return Ok(());
        }
        let prog: &mut TracePoint = program(bpf, PER_SYSCALL_PROGRAM).map_err(|e| e.to_string())?;
        for (nr, event) in events {
            let link = prog.attach("syscalls", &event).map_err(|e| {
                CaptureError::kernel(format!("attach to syscalls/{event}"), &e).to_string()
            })?;
            self.per_syscall.insert(nr, link);
        }
        Ok(())
    }

    fn attach_global(&mut self, bpf: &mut Ebpf) -> Result<(), CaptureError> {
        if !self.global.is_empty() {
            return Ok(());
        }
        let programs = match self.attach {
            Attach::EnterExit => ENTER_EXIT_PROGRAMS,
            Attach::ExitOnly | Attach::PerSyscall => EXIT_ONLY_PROGRAMS,
        };
        for &(name, tp) in programs {
            let prog: &mut RawTracePoint = program(bpf, name)?;
            let link = prog
                .attach(tp)
                .map_err(|e| CaptureError::kernel(format!("attach `{name}` to {tp}"), &e))?;
            self.global.push((name, link));
        }
        Ok(())
    }

    /// Detaches per-syscall tracepoints of syscalls they no longer emit, and
    /// the global hook when [`Attach::PerSyscall`] serves the whole selection.
    fn detach_unused(&mut self, bpf: &mut Ebpf) -> Result<(), CaptureError> {
        let stale: Vec<u32> = self
            .per_syscall
            .keys()
            .copied()
            .filter(|nr| self.values.get(nr) != Some(&interest::TRACEPOINT))
            .collect();
        for nr in stale {
            if let Some(link) = self.per_syscall.remove(&nr) {
                let prog: &mut TracePoint = program(bpf, PER_SYSCALL_PROGRAM)?;
                prog.detach(link)
                    .map_err(|e| CaptureError::kernel(format!("detach syscall {nr}"), &e))?;
            }
        }
        if self.attach == Attach::PerSyscall && self.fallback.is_none() {
            for (name, link) in std::mem::take(&mut self.global) {
                let prog: &mut RawTracePoint = program(bpf, name)?;
                prog.detach(link)
                    .map_err(|e| CaptureError::kernel(format!("detach `{name}`"), &e))?;
            }
        }
        Ok(())
    }
}

fn write(map: &mut Array<MapData, u32>, nr: u32, value: u32) -> Result<(), CaptureError> {
    map.set(nr, value, 0)
        .map_err(|e| CaptureError::kernel(format!("interest of syscall {nr}"), &e))
}

/// Program `name` as type `T`, loaded into the kernel on first use.
pub(crate) fn program<'a, T>(bpf: &'a mut Ebpf, name: &str) -> Result<&'a mut T, CaptureError>
where
    T: Loadable,
    &'a mut T: TryFrom<&'a mut Program, Error = aya::programs::ProgramError>,
{
    let prog: &mut Program = bpf.program_mut(name).ok_or_else(|| CaptureError::Kernel {
        step: format!("program `{name}`"),
        detail: "missing from the object".into(),
    })?;
    let prog: &mut T = prog
        .try_into()
        .map_err(|e| CaptureError::kernel(format!("program `{name}`"), &e))?;
    if !prog.loaded() {
        prog.load_now()
            .map_err(|e| CaptureError::kernel(format!("load `{name}`"), &e))?;
    }
    Ok(prog)
}

/// The program types the capture loads lazily.
pub(crate) trait Loadable {
    fn loaded(&self) -> bool;
    fn load_now(&mut self) -> Result<(), aya::programs::ProgramError>;
}

impl Loadable for RawTracePoint {
    fn loaded(&self) -> bool {
        self.fd().is_ok()
    }
    fn load_now(&mut self) -> Result<(), aya::programs::ProgramError> {
        self.load()
    }
}

impl Loadable for TracePoint {
    fn loaded(&self) -> bool {
        self.fd().is_ok()
    }
    fn load_now(&mut self) -> Result<(), aya::programs::ProgramError> {
        self.load()
    }
}
