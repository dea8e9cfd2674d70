//! What the checker needs to know about fields and event types.
//!
//! The checker asks a [`FieldResolver`]; `falco_schema::Schema` implements it (see
//! `schema_impl.rs`), and tests wrap it to add mock fields ([`MockFields`]).

use crate::types::{Ty, ValueType};

/// A field reference resolved against a schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    /// The schema's field name, e.g. `evt.arg` for `evt.arg.flags`, `proc.aname`
    /// for `proc.aname[2]`.
    pub name: String,
    /// The argument, bracket (`2` in `proc.aname[2]`) or dotted (`flags` in
    /// `evt.arg.flags`), as the schema understood it.
    pub arg: Option<String>,
    /// The value type (for `evt.rawarg.X`, the type of parameter X).
    pub value_type: ValueType,
    /// The field cannot be compared with another field (`EPF_NO_RHS`), on either
    /// side.
    pub no_rhs: bool,
    /// The field cannot be wrapped in a transformer (`EPF_NO_TRANSFORMER`).
    pub no_transformer: bool,
    /// The field is for filtering only and cannot appear in outputs
    /// (`EPF_FILTER_ONLY`).
    pub filter_only: bool,
    /// The field is deprecated; the text says why or what replaces it (may be empty).
    pub deprecated: Option<String>,
}

impl FieldInfo {
    /// A plain field of the given type with no flags.
    pub fn simple(name: impl Into<String>, value_type: ValueType) -> FieldInfo {
        FieldInfo {
            name: name.into(),
            arg: None,
            value_type,
            no_rhs: false,
            no_transformer: false,
            filter_only: false,
            deprecated: None,
        }
    }
}

/// Why a field reference did not resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupError {
    /// No schema defines the field (E401).
    Unknown {
        /// A close field name for the help line.
        suggestion: Option<String>,
    },
    /// The field exists for other sources only (E402).
    OtherSource {
        /// The sources that define it.
        sources: Vec<String>,
    },
    /// The field exists but its argument is wrong (E406).
    Argument {
        /// Lowercase message, e.g. "`proc.aname` takes a numeric index".
        message: String,
        /// Optional help line.
        help: Option<String>,
    },
}

/// The schema facts the checker uses.
pub trait FieldResolver {
    /// Resolves the field `name` (as written; it may carry a dotted argument such as
    /// `evt.arg.flags`) with its optional bracket argument, for rules of `source`.
    fn resolve_field(
        &self,
        source: &str,
        name: &str,
        arg: Option<&str>,
    ) -> Result<FieldInfo, LookupError>;

    /// Whether `name` is a valid `evt.type` value (an event or syscall name) for
    /// `source`.
    fn is_event_type(&self, source: &str, name: &str) -> bool;

    /// The valid `evt.type` values, for did-you-mean.
    fn event_type_names(&self, source: &str) -> Vec<String>;

    /// Whether `text` names a field (for the "value looks like a field" warning).
    fn is_field_name(&self, source: &str, text: &str) -> bool {
        let (name, arg) = split_field_arg(text);
        self.resolve_field(source, name, arg).is_ok()
    }
}

/// Splits a field written as text into its name and bracket argument:
/// `proc.aname[2]` → (`proc.aname`, `Some("2")`).
pub fn split_field_arg(text: &str) -> (&str, Option<&str>) {
    match text.find('[') {
        Some(open) if text.ends_with(']') => (&text[..open], Some(&text[open + 1..text.len() - 1])),
        _ => (text, None),
    }
}

/// A resolver that adds mock fields in front of another one (libsinsp's test field
/// class `c.*`, or fields a test needs). Mock fields apply to every source.
pub struct MockFields<'a> {
    inner: &'a dyn FieldResolver,
    fields: Vec<FieldInfo>,
}

impl<'a> MockFields<'a> {
    /// Wraps `inner` with no mock fields yet.
    pub fn new(inner: &'a dyn FieldResolver) -> MockFields<'a> {
        MockFields {
            inner,
            fields: Vec::new(),
        }
    }

    /// Adds a field.
    pub fn with(mut self, field: FieldInfo) -> MockFields<'a> {
        self.fields.push(field);
        self
    }

    /// Adds libsinsp's test fields: `c.true`, `c.false`, `c.doublequote`,
    /// `c.singlequote` (strings) and `c.buffer` (a byte buffer).
    pub fn with_libsinsp_test_fields(self) -> MockFields<'a> {
        self.with(FieldInfo::simple("c.true", ValueType::single(Ty::CharBuf)))
            .with(FieldInfo::simple("c.false", ValueType::single(Ty::CharBuf)))
            .with(FieldInfo::simple(
                "c.doublequote",
                ValueType::single(Ty::CharBuf),
            ))
            .with(FieldInfo::simple(
                "c.singlequote",
                ValueType::single(Ty::CharBuf),
            ))
            .with(FieldInfo::simple(
                "c.buffer",
                ValueType::single(Ty::ByteBuf),
            ))
    }
}

impl FieldResolver for MockFields<'_> {
    fn resolve_field(
        &self,
        source: &str,
        name: &str,
        arg: Option<&str>,
    ) -> Result<FieldInfo, LookupError> {
        match self.fields.iter().find(|field| field.name == name) {
            Some(field) => {
                let mut field = field.clone();
                field.arg = arg.map(str::to_owned);
                Ok(field)
            }
            None => self.inner.resolve_field(source, name, arg),
        }
    }

    fn is_event_type(&self, source: &str, name: &str) -> bool {
        self.inner.is_event_type(source, name)
    }

    fn event_type_names(&self, source: &str) -> Vec<String> {
        self.inner.event_type_names(source)
    }
}
