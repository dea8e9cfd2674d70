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
