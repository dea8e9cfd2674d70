//! The data types of the schema tables: field types, argument specs, fields, event types.

use std::fmt;

/// The value type of a field, or of a syscall event parameter.
///
/// These are Falco's `PT_*` parameter types. The schema JSON writes them in lower case
/// without the `PT_` prefix (`PT_CHARBUF` → `"charbuf"`); the variant is that name in
/// CamelCase split at underscores (`"charbuf_pair_array"` → `CharbufPairArray`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the variants are Falco's PT_* types, documented as a whole above
pub enum FieldType {
    None,
    Int8,
    Int16,
    Int32,
    Int64,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Charbuf,
    Bytebuf,
    Errno,
    Sockaddr,
    Socktuple,
    Fd,
    Pid,
    Fdlist,
    Fspath,
    Syscallid,
    Sigtype,
    Reltime,
    Abstime,
    Port,
    L4proto,
    Sockfamily,
    Bool,
    Ipv4addr,
    Dyn,
    Flags8,
    Flags16,
    Flags32,
    Uid,
    Gid,
    Double,
    Sigset,
    Charbufarray,
    CharbufPairArray,
    Ipv4net,
    Ipv6addr,
    Ipv6net,
    Ipaddr,
    Ipnet,
    Mode,
    Fsrelpath,
    Enumflags8,
    Enumflags16,
    Enumflags32,
    Fd32,
    Pid32,
}

impl FieldType {
    /// Every type, in Falco's `PT_*` numbering order.
    pub const ALL: &'static [FieldType] = &[
        FieldType::None,
        FieldType::Int8,
        FieldType::Int16,
        FieldType::Int32,
        FieldType::Int64,
        FieldType::Uint8,
        FieldType::Uint16,
        FieldType::Uint32,
        FieldType::Uint64,
        FieldType::Charbuf,
        FieldType::Bytebuf,
        FieldType::Errno,
        FieldType::Sockaddr,
        FieldType::Socktuple,
        FieldType::Fd,
        FieldType::Pid,
        FieldType::Fdlist,
        FieldType::Fspath,
        FieldType::Syscallid,
        FieldType::Sigtype,
        FieldType::Reltime,
        FieldType::Abstime,
        FieldType::Port,
        FieldType::L4proto,
        FieldType::Sockfamily,
        FieldType::Bool,
        FieldType::Ipv4addr,
        FieldType::Dyn,
        FieldType::Flags8,
        FieldType::Flags16,
        FieldType::Flags32,
        FieldType::Uid,
        FieldType::Gid,
        FieldType::Double,
        FieldType::Sigset,
        FieldType::Charbufarray,
        FieldType::CharbufPairArray,
        FieldType::Ipv4net,
        FieldType::Ipv6addr,
        FieldType::Ipv6net,
        FieldType::Ipaddr,
        FieldType::Ipnet,
        FieldType::Mode,
        FieldType::Fsrelpath,
        FieldType::Enumflags8,
        FieldType::Enumflags16,
        FieldType::Enumflags32,
        FieldType::Fd32,
        FieldType::Pid32,
    ];

    /// The schema name: lower case, no `PT_` prefix (`"charbuf"`, `"uint64"`, `"ipnet"`).
    pub fn name(self) -> &'static str {
        match self {
            FieldType::None => "none",
            FieldType::Int8 => "int8",
            FieldType::Int16 => "int16",
            FieldType::Int32 => "int32",
            FieldType::Int64 => "int64",
            FieldType::Uint8 => "uint8",
            FieldType::Uint16 => "uint16",
            FieldType::Uint32 => "uint32",
            FieldType::Uint64 => "uint64",
            FieldType::Charbuf => "charbuf",
            FieldType::Bytebuf => "bytebuf",
            FieldType::Errno => "errno",
            FieldType::Sockaddr => "sockaddr",
            FieldType::Socktuple => "socktuple",
            FieldType::Fd => "fd",
            FieldType::Pid => "pid",
            FieldType::Fdlist => "fdlist",
            FieldType::Fspath => "fspath",
            FieldType::Syscallid => "syscallid",
            FieldType::Sigtype => "sigtype",
            FieldType::Reltime => "reltime",
            FieldType::Abstime => "abstime",
            FieldType::Port => "port",
            FieldType::L4proto => "l4proto",
            FieldType::Sockfamily => "sockfamily",
            FieldType::Bool => "bool",
            FieldType::Ipv4addr => "ipv4addr",
            FieldType::Dyn => "dyn",
            FieldType::Flags8 => "flags8",
            FieldType::Flags16 => "flags16",
            FieldType::Flags32 => "flags32",
            FieldType::Uid => "uid",
            FieldType::Gid => "gid",
            FieldType::Double => "double",
            FieldType::Sigset => "sigset",
            FieldType::Charbufarray => "charbufarray",
            FieldType::CharbufPairArray => "charbuf_pair_array",
            FieldType::Ipv4net => "ipv4net",
            FieldType::Ipv6addr => "ipv6addr",
            FieldType::Ipv6net => "ipv6net",
            FieldType::Ipaddr => "ipaddr",
            FieldType::Ipnet => "ipnet",
            FieldType::Mode => "mode",
            FieldType::Fsrelpath => "fsrelpath",
            FieldType::Enumflags8 => "enumflags8",
            FieldType::Enumflags16 => "enumflags16",
            FieldType::Enumflags32 => "enumflags32",
            FieldType::Fd32 => "fd32",
            FieldType::Pid32 => "pid32",
        }
    }

    /// Looks a type up by its schema name (`"charbuf"`) or by Falco's name (`"PT_CHARBUF"`).
    pub fn from_name(name: &str) -> Option<FieldType> {
        let lower = name.strip_prefix("PT_").map(str::to_ascii_lowercase);
        let key = lower.as_deref().unwrap_or(name);
        FieldType::ALL.iter().copied().find(|ty| ty.name() == key)
    }

    /// Falco's name for the type, e.g. `"PT_CHARBUF"`.
    pub fn pt_name(self) -> String {
        format!("PT_{}", self.name().to_ascii_uppercase())
    }

    /// The operator group of the type, from `operators.json` `type_groups`.
    pub fn group(self) -> TypeGroup {
        crate::ops::group_of(self)
    }

    /// True for types compared as numbers (the `numeric` group).
    pub fn is_numeric(self) -> bool {
        self.group() == TypeGroup::Numeric
    }

    /// True for the textual types (`charbuf`, `fspath`, `fsrelpath`).
    pub fn is_string(self) -> bool {
        self.group() == TypeGroup::String
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The operator group a type belongs to; each group allows its own operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeGroup {
    /// Integers, times, ports, flags, doubles.
    Numeric,
    /// `bool`.
    Bool,
    /// `charbuf`, `fspath`, `fsrelpath`.
    String,
    /// `bytebuf`.
    Buffer,
    /// IP addresses and networks.
    Ip,
    /// Types in no group (e.g. `uid`, `sockaddr`, `dyn`): only `exists` applies to them.
    Other,
}

impl TypeGroup {
    /// The group's name in `operators.json` (`"numeric"`, `"bool"`, `"string"`, `"buffer"`, `"ip"`, `"other"`).
    pub fn name(self) -> &'static str {
        match self {
            TypeGroup::Numeric => "numeric",
            TypeGroup::Bool => "bool",
            TypeGroup::String => "string",
            TypeGroup::Buffer => "buffer",
            TypeGroup::Ip => "ip",
            TypeGroup::Other => "other",
        }
    }
}

/// Whether a field takes an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Presence {
    /// The field takes no argument.
    None,
    /// The field must have an argument.
    Required,
    /// The argument may be left out.
    Optional,
}

/// What an argument may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// A number: an ancestor level, a list position, a parameter position.
    Index,
    /// A free-form key: a label name, an environment variable, a JSON pointer.
    Key,
    /// Either a number or a key.
    IndexOrKey,
    /// Anything; the field interprets it itself.
    Any,
    /// The name of an event in the event table (`evt.type.is.open`).
    EventType,
    /// The name of a syscall event parameter (`evt.arg.flags`, `evt.rawarg.res`).
    EventParam,
    /// `src` or `dst` (`evt.abspath.src`).
    SrcDst,
    /// A cgroup subsystem name made of letters and `_` (`thread.cgroup.cpuacct`).
    CgroupSubsystem,
}

impl ArgKind {
    /// The kind's name in the schema JSON (`"index"`, `"event_param"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ArgKind::Index => "index",
            ArgKind::Key => "key",
            ArgKind::IndexOrKey => "index_or_key",
            ArgKind::Any => "any",
            ArgKind::EventType => "event_type",
            ArgKind::EventParam => "event_param",
            ArgKind::SrcDst => "src_dst",
            ArgKind::CgroupSubsystem => "cgroup_subsystem",
        }
    }
}

/// How a field's argument is written and what it may contain.
///
/// Most fields take their argument in brackets (`proc.aname[2]`, `k8s.pod.label[app]`).
/// A few libsinsp fields take it as a dotted suffix instead (`evt.arg.flags`,
/// `thread.cgroup.cpu`, `evt.type.is.open`, `evt.abspath.src`); `evt.arg` accepts both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArgSpec {
    /// Whether the argument is needed.
    pub presence: Presence,
    /// What a bracket argument may contain; `None` if brackets are not accepted.
    pub bracket: Option<ArgKind>,
    /// What a dotted-suffix argument may contain; `None` if that form is not accepted.
    pub dotted: Option<ArgKind>,
}

impl ArgSpec {
    /// The spec of a field without arguments.
    pub const NONE: ArgSpec = ArgSpec {
        presence: Presence::None,
        bracket: None,
        dotted: None,
    };

    /// True if the field accepts an argument in some form.
    pub fn allows_arg(&self) -> bool {
        self.presence != Presence::None
    }
}

/// Who provides a field: libsinsp itself, or a plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// Built into libsinsp.
    Libsinsp,
    /// Extracted by the named plugin (`container`, `k8smeta`, `k8saudit`, `json`, `cloudtrail`).
    Plugin(&'static str),
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provider::Libsinsp => f.write_str("libsinsp"),
            Provider::Plugin(name) => write!(f, "plugin:{name}"),
        }
    }
}

/// Usage restrictions Falco attaches to a field (its `EPF_*` flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FieldFlags {
    /// Cannot be the right-hand side of a field-to-field comparison.
    pub no_rhs: bool,
    /// Cannot be wrapped in a transformer.
    pub no_transformer: bool,
    /// Usable in conditions only, not in outputs.
    pub filter_only: bool,
    /// Meant for outputs only; not offered for filtering.
    pub print_only: bool,
    /// Hidden from field listings (internal or table-only).
    pub table_only: bool,
    /// Informational field of a plugin.
    pub info: bool,
    /// Conversation field of a plugin.
    pub conversation: bool,
    /// Suggested for outputs by its provider: Falco's `append_output: suggested_output`
    /// appends it (as `name_with_underscores=%name`) to the rules of its source.
    pub suggested: bool,
}

impl FieldFlags {
    /// No flags.
    pub const NONE: FieldFlags = FieldFlags {
        no_rhs: false,
        no_transformer: false,
        filter_only: false,
        print_only: false,
        table_only: false,
        info: false,
        conversation: false,
        suggested: false,
    };
}

/// One field of the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Full name without argument, e.g. `proc.aname`.
    pub name: &'static str,
    /// Value type (for `evt.rawarg` this is `dyn`; resolution gives the real type).
    pub ty: FieldType,
    /// Argument rules.
    pub arg: ArgSpec,
    /// True if the field yields a list of values.
    pub is_list: bool,
    /// True if the field is deprecated.
    pub deprecated: bool,
    /// The field to use instead, when a deprecated field has one.
    pub replacement: Option<&'static str>,
    /// Usage restrictions.
    pub flags: FieldFlags,
    /// One-sentence description.
    pub description: &'static str,
    /// Who provides it.
    pub provider: Provider,
    /// The id of its field class (`gen_event`, `event`, `process`, `fd`, `container`, `k8saudit`, ...).
    pub class: &'static str,
}

impl Field {
    /// True if the field belongs to the class every source shares (`evt.time`, `evt.source`, ...).
    pub fn is_generic(&self) -> bool {
        self.class == crate::GENERIC_CLASS
    }
}

/// A field class: a group of fields that resolve together, as one Falco filtercheck.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldClass {
    /// Unique id (`gen_event`, `event`, `process`, ..., `container`, `k8saudit`, `json`).
    pub id: &'static str,
    /// The class name Falco shows in field listings (`evt`, `process`, `fd`, `k8saudit`, ...);
    /// not unique (`evt` names both `gen_event` and `event`).
    pub falco_name: &'static str,
    /// Who provides the class.
    pub provider: Provider,
    /// One-sentence description.
    pub description: &'static str,
    /// The fields, in Falco's order.
    pub fields: &'static [Field],
}

/// An event source and the classes that provide its fields, in lookup order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Source name (`syscall`, `k8s_audit`, `aws_cloudtrail`).
    pub name: &'static str,
    /// Indices into [`crate::Schema::classes`], in lookup order.
    pub classes: &'static [usize],
}

/// What produces an event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A system call.
    Syscall,
    /// A kernel tracepoint (`switch`, `procexit`, `page_fault`, `signaldeliver`).
    Tracepoint,
    /// An event libsinsp makes up itself (`container`, `procinfo`, `asyncevent`, ...).
    Meta,
    /// A plugin event.
    Plugin,
    /// A BPF iterator event (`task`, `task_file_*`).
    Iter,
    /// The placeholder `NA` entry.
    Unknown,
}

/// A parameter of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventParam {
    /// Parameter name (`fd`, `res`, `flags`).
    pub name: &'static str,
    /// Parameter type.
    pub ty: FieldType,
}

/// An entry of the event table: one name, with the parameters of its current exit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventType {
    /// The name `evt.type` compares against.
    pub name: &'static str,
    /// What produces it.
    pub kind: EventKind,
    /// Category (`file`, `net`, `process`, ...), lower case.
    pub category: &'static str,
    /// True if only old versions of the event exist (the drivers no longer send it).
    pub old: bool,
    /// Parameters of the current version (the exit event where there is one).
    pub params: &'static [EventParam],
}

/// One code of the driver's event table (libs' `event_table.c`): how the record of an
/// event of that code is laid out. Codes are dense from 0; an even code is an enter event,
/// the next odd code its exit. Old versions of an event keep their code and their name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCode {
    /// The code (`PPME_*` value) in event records.
    pub code: u16,
    /// The `PPME_*` identifier, e.g. `PPME_SYSCALL_OPEN_X`.
    pub id: &'static str,
    /// The event's name (`evt.type`); `NA` for unused codes.
    pub name: &'static str,
    /// True for an enter event (`>`), false for an exit event (`<`).
    pub enter: bool,
    /// What produces it.
    pub kind: EventKind,
    /// Category (`file`, `net`, `io_read`, ...), lower case.
    pub category: &'static str,
    /// The driver's flags for it.
    pub flags: EventFlags,
    /// Its parameters, in record order.
    pub params: &'static [CodeParam],
    /// For a converter-managed enter event: libscap's capture converter passes it on to
    /// libsinsp, possibly converted to a newer layout (instead of only keeping it for its
    /// exit event).
    pub converter_passes: bool,
    /// For an event that uses a descriptor (`EF_USES_FD`): the index of the parameter that
    /// holds it, where libscap knows one.
    pub fd_param: Option<u8>,
    /// Parameters libscap's converter fills with their type's default value (zero, or all
    /// ones for uid/gid) when an old capture lacks them; other missing ones stay empty.
    pub fallback_default: &'static [&'static str],
}

impl EventCode {
    /// True if drivers send this version today (neither an old version nor unused).
    pub fn is_current(&self) -> bool {
        !self.flags.has(EventFlags::OLD_VERSION) && !self.flags.has(EventFlags::UNUSED)
    }

    /// True if an event of this code read from a capture reaches libsinsp, by the rules of
    /// libscap's converter: unused codes never do; codes the converter does not manage do
    /// unless they are old enter events; a managed exit event does (converted to the
    /// current layout); a managed enter event only if the converter passes it on.
    pub fn delivered_from_captures(&self) -> bool {
        let f = self.flags;
        if f.has(EventFlags::UNUSED) {
            false
        } else if !f.has(EventFlags::CONVERTER_MANAGED) {
            !(f.has(EventFlags::OLD_VERSION) && self.enter)
        } else {
            !self.enter || self.converter_passes
        }
    }
}

/// The driver's `EF_*` flags of an event code, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventFlags(pub u32);

impl EventFlags {
    /// `EF_CREATES_FD`: the event creates a descriptor (`open`).
    pub const CREATES_FD: u32 = 1 << 0;
    /// `EF_DESTROYS_FD`: the event destroys a descriptor (`close`).
    pub const DESTROYS_FD: u32 = 1 << 1;
    /// `EF_USES_FD`: the event acts on a descriptor, one of its parameters.
    pub const USES_FD: u32 = 1 << 2;
    /// `EF_READS_FROM_FD`.
    pub const READS_FROM_FD: u32 = 1 << 3;
    /// `EF_WRITES_TO_FD`.
    pub const WRITES_TO_FD: u32 = 1 << 4;
    /// `EF_MODIFIES_STATE`: the event changes the machine state libsinsp keeps.
    pub const MODIFIES_STATE: u32 = 1 << 5;
    /// `EF_UNUSED`: no driver sends this code.
    pub const UNUSED: u32 = 1 << 6;
    /// `EF_WAITS`.
    pub const WAITS: u32 = 1 << 7;
    /// `EF_SKIPPARSERESET`.
    pub const SKIPPARSERESET: u32 = 1 << 8;
    /// `EF_OLD_VERSION`: kept to read old captures; drivers send a newer version.
    pub const OLD_VERSION: u32 = 1 << 9;
    /// `EF_LARGE_PAYLOAD`: parameter lengths are 32-bit in the record.
    pub const LARGE_PAYLOAD: u32 = 1 << 11;
    /// `EF_CONVERTER_MANAGED`: libscap's converter rewrites older layouts of it.
    pub const CONVERTER_MANAGED: u32 = 1 << 12;

    /// True if `flag` (one of the constants) is set.
    pub fn has(self, flag: u32) -> bool {
        self.0 & flag != 0
    }
}

/// A parameter of an event code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodeParam {
    /// Parameter name (`fd`, `res`, `flags`).
    pub name: &'static str,
    /// Its type, which fixes its encoding in the record.
    pub ty: FieldType,
    /// How a number is printed.
    pub format: ParamFormat,
    /// The table that gives its text, or the parameter it is relative to.
    pub info: ParamInfo,
}

/// The driver's print format of a numeric parameter (`PF_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamFormat {
    /// `PF_NA`: not a number.
    Na,
    /// `PF_DEC`: decimal.
    Dec,
    /// `PF_HEX`: hexadecimal.
    Hex,
    /// `PF_OCT`: octal.
    Oct,
}

/// What else a parameter's value needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamInfo {
    /// Nothing.
    None,
    /// A flag or enum table ([`crate::Schema::flag_table`]) names its bits or values.
    Flags(&'static str),
    /// A dynamic parameter: its first byte picks the entry of this table
    /// ([`crate::Schema::dynamic_table`]) that gives its type.
    Dynamic(&'static str),
    /// A path relative to the directory descriptor in the parameter of this index.
    Dirfd(u8),
}

/// A flag or enum table of the driver (`file_flags`, `ptrace_requests`, ...): names and the
/// values the driver encodes them as (`PPM_*` values, not the kernel's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagTable {
    /// The table's name in the driver.
    pub name: &'static str,
    /// Names and values, in the driver's order.
    pub entries: &'static [(&'static str, u32)],
}

impl FlagTable {
    /// Appends libsinsp's text for `value` (a driver-encoded value): for an enum (`exact`),
    /// the name of each entry equal to it; for flags, the name of each entry whose bits are
    /// all set, each entry's bits then taken out of what is left, in table order, stopping
    /// at an entry equal to the whole value (a zero entry matches only zero). Names are
    /// joined with `|`; nothing is written when no entry matches.
    pub fn write_names(&self, value: u32, exact: bool, out: &mut String) {
        let mut left = value;
        let mut first = true;
        for &(name, bits) in self.entries {
            let matched = if exact {
                bits == value
            } else if bits == 0 {
                value == 0
            } else if left & bits == bits && left != 0 {
                left &= !bits;
                true
            } else {
                false
            };
            if matched {
                if !first {
                    out.push('|');
                }
                out.push_str(name);
                first = false;
                if !exact && bits == value {
                    break;
                }
            }
        }
    }
}

/// A dynamic parameter table: the type of each index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicTable {
    /// The table's name in the driver.
    pub name: &'static str,
    /// `(index, type, format)` of each entry.
    pub entries: &'static [(u8, FieldType, ParamFormat)],
}

/// A transformer (`tolower(...)`, `len(...)`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transformer {
    /// Its name as written.
    pub name: &'static str,
    /// `single`, `multivalue` or `rhs_only` (`val`).
    pub kind: &'static str,
    /// Accepted input types of a single-value transformer; empty when not checked by type.
    pub input_types: &'static [FieldType],
    /// True if any list field is accepted (`len`).
    pub accepts_any_list: bool,
    /// Output type; `None` means "same as the input".
    pub output: Option<FieldType>,
    /// True if the output is a list.
    pub output_list: bool,
    /// True if a list input yields a single value (`len`).
    pub clears_list: bool,
    /// Version that introduced it, when known.
    pub since: Option<&'static str>,
}
