//! The condition syntax tree.
//!
//! Spans are byte ranges **into the condition text** that was parsed (not into the
//! file); the caller maps them with its `falco_span::MappedText`. The tree is plain
//! syntax: a bare identifier is a [`Expr::Macro`] reference whatever it names, and
//! fields are not looked up. The tree may contain [`Expr::Error`] nodes where the
//! parser recovered.

use falco_span::Span;

/// A boolean expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `a and b and ...` (two or more operands, flattened).
    And(Vec<Expr>, Span),
    /// `a or b or ...` (two or more operands, flattened).
    Or(Vec<Expr>, Span),
    /// `not a`.
    Not(Box<Expr>, Span),
    /// A parenthesised expression, kept so spans and printing stay faithful.
    Paren(Box<Expr>, Span),
    /// A bare identifier: a macro reference.
    Macro(Ident),
    /// A field check: `field op value`, or `field exists`.
    Check(Box<Check>),
    /// Where the parser recovered from an error.
    Error(Span),
}

impl Expr {
    /// The span of the whole expression.
    pub fn span(&self) -> Span {
        match self {
            Expr::And(_, span)
            | Expr::Or(_, span)
            | Expr::Not(_, span)
            | Expr::Paren(_, span)
            | Expr::Error(span) => *span,
            Expr::Macro(ident) => ident.span,
            Expr::Check(check) => check.span,
        }
    }
}

/// An identifier with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name as written.
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// `left op right`.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The field, possibly transformed.
    pub left: Operand,
    /// The operator and its optional modifier.
    pub op: OpSpec,
    /// The right side; `None` for `exists` (and after a recovered error).
    pub right: Option<Value>,
    /// The whole check.
    pub span: Span,
}

/// A field or a transformer applied to operands.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// `proc.name`, `proc.aname[2]`, `evt.arg.flags`.
    Field(FieldRef),
    /// `tolower(proc.name)`, `join("-", (fd.name, fd.directory))`.
    Transform(Box<Transform>),
    /// A literal inside a transformer argument list (e.g. the separator of `join`).
    Literal(Str),
    /// A transformer list `(a, b, ...)` written as a transformer argument, e.g. the
    /// second argument of `join("-", (fd.name, fd.directory))` or the first of
    /// `getopt(("-n"), "n")`.
    List(Vec<Operand>, Span),
    /// Where the parser recovered.
    Error(Span),
}

impl Operand {
    /// The span of the operand.
    pub fn span(&self) -> Span {
        match self {
            Operand::Field(field) => field.span,
            Operand::Transform(transform) => transform.span,
            Operand::Literal(text) => text.span,
            Operand::List(_, span) | Operand::Error(span) => *span,
        }
    }
}

/// A field reference as written. The name is the lexed `FieldName` token; how much of
/// it is the field and how much a dotted argument (`evt.arg.flags`) is decided by the
/// schema, not here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRef {
    /// The dotted name as written, without any bracket argument.
    pub name: String,
    /// Span of the name.
    pub name_span: Span,
    /// The bracket argument, `[..]`, if any.
    pub arg: Option<FieldArg>,
    /// The whole reference, argument included.
    pub span: Span,
}

/// A bracket argument of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldArg {
    /// The argument's value (quotes removed, escapes applied).
    pub value: String,
    /// Span of the argument text inside the brackets (quotes included).
    pub span: Span,
    /// Whether it was quoted.
    pub quoted: bool,
}

/// The transformers Falco knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransformKind {
    /// `tolower(x)`
    ToLower,
    /// `toupper(x)`
    ToUpper,
    /// `b64(x)`: base64-decode.
    B64,
    /// `basename(x)`
    Basename,
    /// `len(x)`
    Len,
    /// `join(sep, (a, b, ...))`
    Join,
    /// `concat(a, b, ...)`
    Concat,
    /// `getopt(x, opts)`
    Getopt,
    /// `val(field)`: a field's value used as a comparison value.
    Val,
}

impl TransformKind {
    /// Every transformer, in grammar order.
    pub const ALL: &'static [TransformKind] = &[
        TransformKind::ToLower,
        TransformKind::ToUpper,
        TransformKind::B64,
        TransformKind::Basename,
        TransformKind::Len,
        TransformKind::Join,
        TransformKind::Concat,
        TransformKind::Getopt,
        TransformKind::Val,
    ];

    /// The keyword as written.
    pub fn as_str(self) -> &'static str {
        match self {
            TransformKind::ToLower => "tolower",
            TransformKind::ToUpper => "toupper",
            TransformKind::B64 => "b64",
            TransformKind::Basename => "basename",
            TransformKind::Len => "len",
            TransformKind::Join => "join",
            TransformKind::Concat => "concat",
            TransformKind::Getopt => "getopt",
            TransformKind::Val => "val",
        }
    }
}

/// A transformer applied to its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Transform {
    /// Which transformer.
    pub kind: TransformKind,
    /// Span of the keyword.
    pub kind_span: Span,
    /// The arguments, in the order written. A transformer list (`join`'s second
    /// argument) is an [`Operand::List`] among them.
    pub args: Vec<Operand>,
    /// A bracket argument after the call, `getopt(proc.args, "nt:")[t]`.
    pub arg: Option<FieldArg>,
    /// The whole transformer call, bracket argument included.
    pub span: Span,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=`
    Eq,
    /// `==`
    EqEq,
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
    /// `regex`
    Regex,
    /// `exists` (unary)
    Exists,
    /// `in`
    In,
    /// `intersects`
    Intersects,
    /// `pmatch`
    PMatch,
}

/// What follows an operator, as libsinsp lexes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpSyntax {
    /// Nothing: `exists`.
    Unary,
    /// A number: `<`, `<=`, `>`, `>=`.
    Numeric,
    /// A value or a modifier and a list, right after the symbol: `=`, `==`, `!=`.
    Equality,
    /// A value or a modifier and a list, after a blank: `contains`, `glob`, ...
    Word,
    /// A list: `in`, `intersects`, `pmatch`.
    List,
}

impl Op {
    /// The one table of the condition language's operators: each operator, its
    /// spelling and its syntax, in the order of the enum (`TABLE[op as usize]`
    /// is `op`'s row). The lexer, exception `comps`, the language server and the
    /// checks against `operators.json` and the bundle's operators derive from it.
    pub(crate) const TABLE: [(Op, &'static str, OpSyntax); 20] = [
        (Op::Eq, "=", OpSyntax::Equality),
        (Op::EqEq, "==", OpSyntax::Equality),
        (Op::Ne, "!=", OpSyntax::Equality),
        (Op::Lt, "<", OpSyntax::Numeric),
        (Op::Le, "<=", OpSyntax::Numeric),
        (Op::Gt, ">", OpSyntax::Numeric),
        (Op::Ge, ">=", OpSyntax::Numeric),
        (Op::Contains, "contains", OpSyntax::Word),
        (Op::IContains, "icontains", OpSyntax::Word),
        (Op::BContains, "bcontains", OpSyntax::Word),
        (Op::StartsWith, "startswith", OpSyntax::Word),
        (Op::BStartsWith, "bstartswith", OpSyntax::Word),
        (Op::EndsWith, "endswith", OpSyntax::Word),
        (Op::Glob, "glob", OpSyntax::Word),
        (Op::IGlob, "iglob", OpSyntax::Word),
        (Op::Regex, "regex", OpSyntax::Word),
        (Op::Exists, "exists", OpSyntax::Unary),
        (Op::In, "in", OpSyntax::List),
        (Op::Intersects, "intersects", OpSyntax::List),
        (Op::PMatch, "pmatch", OpSyntax::List),
    ];

    /// Every operator, in the order of [`Op::TABLE`].
    pub const ALL: &'static [Op] = &{
        let mut all = [Op::Eq; Op::TABLE.len()];
        let mut i = 0;
        while i < all.len() {
            all[i] = Op::TABLE[i].0;
            i += 1;
        }
        all
    };

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        Op::TABLE[self as usize].1
    }

    /// What follows the operator.
    pub fn syntax(self) -> OpSyntax {
        Op::TABLE[self as usize].2
    }

    /// The operator written `text`, if any.
    pub fn from_spelling(text: &str) -> Option<Op> {
        Op::ALL.iter().copied().find(|op| op.as_str() == text)
    }

    /// Whether the operator takes a list on its right (`in`, `intersects`, `pmatch`).
    pub fn takes_list(self) -> bool {
        self.syntax() == OpSyntax::List
    }

    /// Whether a modifier may follow the operator (`startswith oneof (...)`): the
    /// string operators.
    pub fn takes_modifier(self) -> bool {
        matches!(self.syntax(), OpSyntax::Equality | OpSyntax::Word)
    }
}

/// The `oneof`/`anyof`/`allof` modifiers of string operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Modifier {
    /// `oneof`
    OneOf,
    /// `anyof`
    AnyOf,
    /// `allof`
    AllOf,
}

impl Modifier {
    /// Every modifier.
    pub const ALL: &'static [Modifier] = &[Modifier::OneOf, Modifier::AnyOf, Modifier::AllOf];

    /// The modifier as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Modifier::OneOf => "oneof",
            Modifier::AnyOf => "anyof",
            Modifier::AllOf => "allof",
        }
    }

    /// The modifier written `text`, if any.
    pub fn from_spelling(text: &str) -> Option<Modifier> {
        Modifier::ALL.iter().copied().find(|m| m.as_str() == text)
    }
}

/// An operator with its optional modifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpSpec {
    /// The operator.
    pub op: Op,
    /// The modifier, e.g. `startswith oneof (...)`.
    pub modifier: Option<Modifier>,
    /// Span of the operator (and modifier).
    pub span: Span,
}

/// A string value as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Str {
    /// The value, quotes removed and escapes applied.
    pub value: String,
    /// Span of the token, quotes included.
    pub span: Span,
    /// The quote character, when quoted.
    pub quote: Option<char>,
    /// The exact bytes, only when a `\x` escape made them invalid UTF-8 (then
    /// `value` holds a lossy rendering). Use [`Str::as_bytes`].
    pub bytes: Option<Vec<u8>>,
}

impl Str {
    /// The value's exact bytes (escapes such as `\xff` can make them non-UTF-8).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.bytes {
            Some(bytes) => bytes,
            None => self.value.as_bytes(),
        }
    }
}

/// The right side of a check.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A single value (bare word, number, quoted string).
    Str(Str),
    /// A list literal `(a, b, c)`.
    List(Vec<Str>, Span),
    /// A bare identifier after a list operator (`in my_list` without parentheses).
    ListRef(Ident),
    /// A field-to-field comparison, `val(field)`, or a transformer on the right.
    Operand(Operand),
}

impl Value {
    /// The span of the value.
    pub fn span(&self) -> Span {
        match self {
            Value::Str(text) => text.span,
            Value::List(_, span) => *span,
            Value::ListRef(ident) => ident.span,
            Value::Operand(operand) => operand.span(),
        }
    }
}

/// A parsed output format string: literal text and field references.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// The pieces in order.
    pub parts: Vec<OutputPart>,
}

/// One piece of an output format string.
#[derive(Clone, Debug, PartialEq)]
pub enum OutputPart {
    /// Literal text (spans into the output text).
    Text(String, Span),
    /// `%field`, `%field[arg]` or `%(field)`; `span` covers the `%` too.
    Field {
        /// The field as written (may include a dotted argument).
        field: FieldRef,
        /// Whether the `%(...)` form was used.
        parenthesised: bool,
        /// The whole token.
        span: Span,
    },
}
