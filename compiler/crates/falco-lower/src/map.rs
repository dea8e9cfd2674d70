//! Where each piece of a rule's code comes from: what [`crate::lower_traced`]
//! returns beside the bundle, for tools that follow an evaluation back to the text
//! (coverage, `show`).

use std::ops::Range;

use falco_span::FileSpan;

/// A piece of a rule's code: a condition operand, a group of them, or a macro
/// reference (whose only child is the macro's condition).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeNode {
    /// What it is.
    pub kind: CodeKind,
    /// Where it is written, mapped to its file (`None` for code no text stands for).
    pub span: Option<FileSpan>,
    /// Its instructions, `bundle.code[code.start..code.end]`; a check or constant
    /// is the one instruction at `code.start`.
    pub code: Range<u32>,
    /// Its operands, in evaluation order.
    pub children: Vec<CodeNode>,
}

/// What a [`CodeNode`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeKind {
    /// All children hold (evaluated left to right, stopping at the first false).
    And,
    /// Some child holds (stopping at the first true).
    Or,
    /// The child does not hold.
    Not,
    /// A reference to the named macro; its child is the macro's condition.
    Macro(String),
    /// A comparison (an `Insn::Check`).
    Check,
    /// A constant (an `Insn::Set`).
    Const(bool),
}

/// Where an IR node was written, kept on it in traced lowering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mark {
    pub(crate) span: Option<FileSpan>,
    /// Set when the node is the condition of the macro a reference names.
    pub(crate) macro_name: Option<String>,
}
