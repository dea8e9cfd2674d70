//! The bundle's content as plain data: what lowering produces, what the encoder writes,
//! what the decoder returns after verification, and what the VM loads.

use std::net::IpAddr;

/// A whole rule bundle.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bundle {
    /// The version of the compiler that wrote it (`falco-rulec` package version).
    pub engine_version: String,
    /// The highest `required_engine_version` of the rules files, if any.
    pub required_engine_version: Option<String>,
    /// The `required_plugin_versions` of the rules files.
    pub plugins: Vec<PluginRequirement>,
    /// Event sources, in first-use order; rules and fields refer to them by index.
    pub sources: Vec<String>,
    /// Field references; operands and outputs refer to them by index.
    pub fields: Vec<Field>,
    /// Constants compared against.
    pub consts: Vec<Const>,
    /// Operands (fields, transformer applications, literals); referred to by index.
    pub operands: Vec<Operand>,
    /// Comparisons; `Insn::Check` refers to them by index.
    pub checks: Vec<Check>,
    /// The bytecode of every rule, one range per rule.
    pub code: Vec<Insn>,
    /// The rules, in load order.
    pub rules: Vec<Rule>,
    /// The event types the enabled syscall rules need.
    pub syscalls: SyscallSet,
}

/// A plugin version requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginRequirement {
    /// Plugin name.
    pub name: String,
    /// Minimum version (`major.minor.patch`).
    pub version: String,
    /// Alternatives (name, version) that also satisfy it.
    pub alternatives: Vec<(String, String)>,
}

/// A field reference: `name[arg]` of a source.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Field {
    /// Index into [`Bundle::sources`].
    pub source: u32,
    /// The field name as written (`evt.arg.flags`, `proc.aname`).
    pub name: String,
    /// The bracket argument, if any (`2` in `proc.aname[2]`).
    pub arg: Option<String>,
}

/// A constant.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    /// Text or bytes.
    Str(Vec<u8>),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer (also ports, durations, timestamps, flags).
    UInt(u64),
    /// A double.
    Double(f64),
    /// A boolean.
    Bool(bool),
    /// An address.
    Ip(IpAddr),
    /// A network: address and prefix length.
    Net(IpAddr, u8),
}

/// The transformers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transform {
    /// ASCII lower case.
    ToLower,
    /// ASCII upper case.
    ToUpper,
    /// Base64 decoding.
    B64,
    /// The last path component.
    Basename,
    /// Length in bytes (strings) or elements (lists).
    Len,
    /// `join(sep, (a, b, ...))`.
    Join,
    /// `concat(a, b, ...)`.
    Concat,
    /// `getopt(args, optstring)[opt]`.
    Getopt,
}

impl Transform {
    /// Every transformer, in code order.
    pub const ALL: [Transform; 8] = [
        Transform::ToLower,
        Transform::ToUpper,
        Transform::B64,
        Transform::Basename,
        Transform::Len,
        Transform::Join,
        Transform::Concat,
        Transform::Getopt,
    ];

    /// The name as written in conditions.
    pub fn name(self) -> &'static str {
        match self {
            Transform::ToLower => "tolower",
            Transform::ToUpper => "toupper",
            Transform::B64 => "b64",
            Transform::Basename => "basename",
            Transform::Len => "len",
            Transform::Join => "join",
            Transform::Concat => "concat",
            Transform::Getopt => "getopt",
        }
    }
}

/// An operand: what a comparison's left (or right, field-to-field) side computes.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// A field's value (index into [`Bundle::fields`]).
    Field(u32),
    /// A transformer over earlier operands (indices smaller than this operand's).
    Transform {
        /// Which transformer.
        kind: Transform,
        /// Argument operands.
        args: Vec<u32>,
        /// The bracket argument after the call (`getopt(...)[t]`).
        arg: Option<String>,
    },
    /// A literal transformer argument.
    Literal(String),
    /// A parenthesised list of earlier operands (a transformer argument).
    List(Vec<u32>),
}

/// Comparison operators, with libsinsp's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=` / `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `contains`
    Contains,
    /// `icontains`
    IContains,
    /// `bcontains`
    BContains,
    /// `startswith`
    StartsWith,
    /// `bstartswith`
    BStartsWith,
    /// `endswith`
    EndsWith,
    /// `glob`
    Glob,
    /// `iglob`
    IGlob,
    /// `regex` (whole-value match)
    Regex,
    /// `exists`
    Exists,
    /// `in`
    In,
    /// `intersects`
    Intersects,
    /// `pmatch`
    PMatch,
}

impl CmpOp {
    /// Every operator, in code order.
    pub const ALL: [CmpOp; 19] = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
        CmpOp::Contains,
        CmpOp::IContains,
        CmpOp::BContains,
        CmpOp::StartsWith,
        CmpOp::BStartsWith,
        CmpOp::EndsWith,
        CmpOp::Glob,
        CmpOp::IGlob,
        CmpOp::Regex,
        CmpOp::Exists,
        CmpOp::In,
        CmpOp::Intersects,
        CmpOp::PMatch,
    ];

    /// The operator as written.
    pub fn name(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Contains => "contains",
            CmpOp::IContains => "icontains",
            CmpOp::BContains => "bcontains",
            CmpOp::StartsWith => "startswith",
            CmpOp::BStartsWith => "bstartswith",
            CmpOp::EndsWith => "endswith",
            CmpOp::Glob => "glob",
            CmpOp::IGlob => "iglob",
            CmpOp::Regex => "regex",
            CmpOp::Exists => "exists",
            CmpOp::In => "in",
            CmpOp::Intersects => "intersects",
            CmpOp::PMatch => "pmatch",
        }
    }

    /// Operators whose right side is a list of constants.
    pub fn takes_set(self) -> bool {
        matches!(self, CmpOp::In | CmpOp::Intersects | CmpOp::PMatch)
    }
}

/// How a scalar operator applies to a list of values (libsinsp's operator modifiers,
/// also used by lowering to merge `f op a or f op b`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quant {
    /// Exactly one value holds (`oneof`).
    ExactlyOne,
    /// At least one value holds (`anyof`, and merged disjunctions).
    Any,
    /// Every value holds, and there is at least one (`allof`).
    All,
}

/// The right side of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Rhs {
    /// No value (`exists`).
    None,
    /// One constant.
    Const(u32),
    /// Constants: the set of `in`/`intersects`/`pmatch`, or the values of a
    /// quantified scalar operator.
    List(Vec<u32>),
    /// Another operand (field-to-field comparison).
    Operand(u32),
}

/// A comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The left operand.
    pub lhs: u32,
    /// The operator.
    pub op: CmpOp,
    /// For a scalar operator over a list of constants, how the results combine.
    pub quant: Option<Quant>,
    /// The right side.
    pub rhs: Rhs,
}

/// One instruction. The machine has one boolean register, the accumulator; there is
/// no stack. Jumps go forward only, so every program ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Insn {
    /// acc = the comparison's result.
    Check(u32),
    /// If acc is false, go to the absolute instruction index.
    JumpIfFalse(u32),
    /// If acc is true, go to the absolute instruction index.
    JumpIfTrue(u32),
    /// acc = !acc.
    Not,
    /// acc = the constant.
    Set(bool),
    /// The rule matches iff acc.
    Return,
}

/// Falco's priorities, most severe first (`falco-priority`, the one definition).
pub use falco_priority::Priority;

/// A piece of a rule's output template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputPart {
    /// Literal text.
    Text(String),
    /// A field's value (index into [`Bundle::fields`]).
    Field(u32),
}

/// The event types a rule can match (Falco's evttype analysis).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventTypes {
    /// Every type (also: sources without event types).
    All,
    /// None: the rule can never match.
    None,
    /// Only these (sorted).
    Only(Vec<String>),
    /// All but these (sorted).
    AllExcept(Vec<String>),
}

impl EventTypes {
    /// Whether an event of type `name` can match.
    pub fn contains(&self, name: &str) -> bool {
        match self {
            EventTypes::All => true,
            EventTypes::None => false,
            EventTypes::Only(names) => names.binary_search_by(|n| n.as_str().cmp(name)).is_ok(),
            EventTypes::AllExcept(names) => {
                names.binary_search_by(|n| n.as_str().cmp(name)).is_err()
            }
        }
    }
}

/// A rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// Name.
    pub name: String,
    /// Description.
    pub desc: String,
    /// Priority.
    pub priority: Priority,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// Index into [`Bundle::sources`].
    pub source: u32,
    /// Whether the rule is enabled.
    pub enabled: bool,
    /// The output template.
    pub output: Vec<OutputPart>,
    /// First instruction in [`Bundle::code`].
    pub code_start: u32,
    /// Number of instructions (the last is `Return`).
    pub code_len: u32,
    /// Event types it can match.
    pub event_types: EventTypes,
    /// Every field its condition and output read (indices into [`Bundle::fields`], sorted).
    pub fields: Vec<u32>,
}

/// The syscall event types a bundle needs from the kernel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyscallSet {
    /// Some enabled syscall rule matches every event type (or all but some).
    pub all: bool,
    /// The event type names the enabled syscall rules name, sorted (with `all`, the
    /// ones they need besides everything else is meaningless, so this lists the names
    /// they restrict to, for information).
    pub names: Vec<String>,
}
