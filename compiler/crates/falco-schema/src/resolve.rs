//! Field-name resolution, following libsinsp's lookup.
//!
//! libsinsp asks each field class of the source in order; within a class the longest field
//! name that is a prefix of the written name wins, and the first class with such a prefix
//! decides: if the rest of the name is not a valid argument for that field, the name is an
//! error and no later class is tried. Arguments are written either in brackets
//! (`proc.aname[2]`) or, for a few libsinsp fields, as a dotted suffix (`evt.arg.flags`).

use std::fmt;

use crate::tables::{CLASSES, FIELD_INDEX, FIELD_NAMES};
use crate::{ArgKind, Field, FieldType, Presence, Provider, Schema, Source};

/// How an argument was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgForm {
    /// `field[arg]`.
    Bracket,
    /// `field.arg`.
    Dotted,
}

/// The argument of a resolved field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldArg {
    /// How it was written.
    pub form: ArgForm,
    /// Its text, without brackets or leading dot.
    pub text: String,
}

/// A field name resolved against a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedField {
    /// The schema field (`evt.arg` for `evt.arg.flags`).
    pub field: &'static Field,
    /// The effective type: the field's type, or for `evt.rawarg.NAME` the type of parameter NAME.
    pub ty: FieldType,
    /// True if the value is a list.
    pub is_list: bool,
    /// The argument, if one was given.
    pub arg: Option<FieldArg>,
}

/// Why a field name does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// The source is not one the schema knows.
    UnknownSource {
        /// The source as written.
        source: String,
    },
    /// No field of the source has this name.
    Unknown {
        /// The name as written (without bracket argument).
        name: String,
        /// A close field name of the same source, if any.
        suggestion: Option<&'static str>,
    },
    /// The field exists, but only for other sources (`ka.verb` in a syscall rule).
    WrongSource {
        /// The name as written.
        name: String,
        /// The source it was used in.
        source: String,
        /// The sources that have it.
        sources: Vec<&'static str>,
    },
    /// The field needs an argument and has none.
    ArgMissing {
        /// The field.
        field: &'static Field,
    },
    /// An argument was given in a form the field does not take (or the field takes none).
    ArgNotAllowed {
        /// The field.
        field: &'static Field,
        /// The form that was used.
        form: ArgForm,
    },
    /// The argument must be a number.
    ArgNotNumeric {
        /// The field.
        field: &'static Field,
        /// The argument text.
        arg: String,
    },
    /// `evt.arg.NAME` / `evt.rawarg.NAME` with a NAME no event has as parameter.
    UnknownEventParam {
        /// The field.
        field: &'static Field,
        /// The parameter name as written.
        param: String,
        /// A close parameter name, if any.
        suggestion: Option<&'static str>,
    },
    /// `evt.type.is.NAME` with a NAME that is not an event.
    UnknownEventType {
        /// The field.
        field: &'static Field,
        /// The event name as written.
        name: String,
        /// A close event name, if any.
        suggestion: Option<&'static str>,
    },
    /// The argument is not one of the accepted values (`evt.abspath.src`/`.dst`, cgroup names).
    BadArg {
        /// The field.
        field: &'static Field,
        /// The argument text.
        arg: String,
        /// What is accepted, for the message (e.g. "`src` or `dst`").
        expected: &'static str,
    },
}

impl FieldError {
    /// The field the error is about, when the name itself was found.
    pub fn field(&self) -> Option<&'static Field> {
        match self {
            FieldError::UnknownSource { .. }
            | FieldError::Unknown { .. }
            | FieldError::WrongSource { .. } => None,
            FieldError::ArgMissing { field }
            | FieldError::ArgNotAllowed { field, .. }
            | FieldError::ArgNotNumeric { field, .. }
            | FieldError::UnknownEventParam { field, .. }
            | FieldError::UnknownEventType { field, .. }
            | FieldError::BadArg { field, .. } => Some(field),
        }
    }

    /// A replacement the user probably meant, if any.
    pub fn suggestion(&self) -> Option<&'static str> {
        match self {
            FieldError::Unknown { suggestion, .. }
            | FieldError::UnknownEventParam { suggestion, .. }
            | FieldError::UnknownEventType { suggestion, .. } => *suggestion,
            _ => None,
        }
    }
}

impl fmt::Display for FieldError {
    /// A diagnostic message in the house style: lower case, names in backticks, no period.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldError::UnknownSource { source } => write!(f, "unknown event source `{source}`"),
            FieldError::Unknown { name, .. } => write!(f, "unknown field `{name}`"),
            FieldError::WrongSource {
                name,
                source,
                sources,
            } => {
                let list: Vec<String> = sources.iter().map(|s| format!("`{s}`")).collect();
                write!(
                    f,
                    "field `{name}` is not available for source `{source}` (only for {})",
                    list.join(", ")
                )
            }
            FieldError::ArgMissing { field } => {
                write!(
                    f,
                    "field `{}` requires an argument, e.g. `{}`",
                    field.name,
                    arg_example(field)
                )
            }
            FieldError::ArgNotAllowed { field, form } => match (form, field.arg.presence) {
                (_, Presence::None) => write!(f, "field `{}` takes no argument", field.name),
                (ArgForm::Bracket, _) => {
                    write!(
                        f,
                        "field `{}` takes its argument as a dotted suffix, e.g. `{}`",
                        field.name,
                        arg_example(field)
                    )
                }
                (ArgForm::Dotted, _) => {
                    write!(
                        f,
                        "field `{}` takes its argument in brackets, e.g. `{}`",
                        field.name,
                        arg_example(field)
                    )
                }
            },
            FieldError::ArgNotNumeric { field, arg } => {
                write!(
                    f,
                    "the argument of `{}` must be a number, found `{arg}`",
                    field.name
                )
            }
            FieldError::UnknownEventParam { field, param, .. } => {
                write!(
                    f,
                    "unknown event parameter `{param}` in `{}.{param}`",
                    field.name
                )
            }
            FieldError::UnknownEventType { field, name, .. } => {
                write!(f, "unknown event type `{name}` in `{}.{name}`", field.name)
            }
            FieldError::BadArg {
                field,
                arg,
                expected,
            } => {
                write!(
                    f,
                    "invalid argument `{arg}` for `{}`: expected {expected}",
                    field.name
                )
            }
        }
    }
}

impl std::error::Error for FieldError {}

/// An example of the argument syntax of a field, for messages.
pub fn arg_example(field: &Field) -> String {
    if let Some(kind) = field.arg.dotted {
        let example = match kind {
            ArgKind::EventType => "open",
            ArgKind::EventParam => "fd",
            ArgKind::SrcDst => "src",
            ArgKind::CgroupSubsystem => "cpu",
            _ => "name",
        };
        return format!("{}.{example}", field.name);
    }
    let example = match field.arg.bracket {
        Some(ArgKind::Index) => "0",
        Some(ArgKind::Key) | Some(ArgKind::IndexOrKey)
            if field.provider == Provider::Plugin("json") =>
        {
            "/a/b"
        }
        _ => "name",
    };
    format!("{}[{example}]", field.name)
}

/// The outcome of looking a name up in one source.
pub(crate) enum Lookup {
    /// The first class with a matching prefix, its field, and the rest of the name.
    Found(&'static Field, usize),
    /// No class of the source has a field that is a prefix of the name.
    NoClass,
}

fn lookup(schema: &Schema, source: &Source, name: &str) -> Lookup {
    match lookup_builtin(source, name) {
        Lookup::NoClass => lookup_plugins(schema, source, name),
        found => found,
    }
}

/// The lookup in the user plugins' classes of `source`, which come after every
/// built-in class (libsinsp adds a plugin's filter check after its own).
fn lookup_plugins(schema: &Schema, source: &Source, name: &str) -> Lookup {
    for class in source.classes.iter().filter_map(|&index| {
        (index >= CLASSES.len())
            .then(|| schema.class(index))
            .flatten()
    }) {
        let longest = class
            .fields
            .iter()
            .filter(|field| name.starts_with(field.name))
            .max_by_key(|field| field.name.len());
        if let Some(field) = longest {
            return Lookup::Found(field, field.name.len());
        }
    }
    Lookup::NoClass
}

/// The lookup in the built-in classes of `source`.
fn lookup_builtin(source: &Source, name: &str) -> Lookup {
    // Fast path: an exact field name of one of the source's classes. This gives the same answer
    // as the walk below because no field name starts with a field name of an earlier class of
    // the same source (the `no_field_is_shadowed` test keeps the tables that way).
    if let Ok(pos) = FIELD_NAMES.binary_search_by(|(n, _, _)| (*n).cmp(name))
        && let Some(&(_, c, f)) = FIELD_NAMES.get(pos)
        && source.classes.contains(&usize::from(c))
        && let Some(field) = CLASSES
            .get(usize::from(c))
            .and_then(|cl| cl.fields.get(usize::from(f)))
    {
        return Lookup::Found(field, field.name.len());
    }
    lookup_walk(source, name)
}

/// libsinsp's lookup proper: the longest prefix in the first class that has one.
pub(crate) fn lookup_walk(source: &Source, name: &str) -> Lookup {
    let segment = name.split('.').next().unwrap_or(name);
    let Ok(pos) = FIELD_INDEX.binary_search_by(|(s, _)| (*s).cmp(segment)) else {
        return Lookup::NoClass;
    };
    let Some((_, entries)) = FIELD_INDEX.get(pos) else {
        return Lookup::NoClass;
    };
    // The winner is the longest prefix within the earliest class (in source order) that has one.
    let mut winner: Option<(usize, &'static Field)> = None;
    for &(c, f) in entries.iter() {
        let Some(field) = CLASSES
            .get(usize::from(c))
            .and_then(|cl| cl.fields.get(usize::from(f)))
        else {
            continue;
        };
        if !name.starts_with(field.name) {
            continue;
        }
        let Some(rank) = source.classes.iter().position(|&x| x == usize::from(c)) else {
            continue;
        };
        let better = match winner {
            None => true,
            Some((r, w)) => rank < r || (rank == r && field.name.len() > w.name.len()),
        };
        if better {
            winner = Some((rank, field));
        }
    }
    if let Some((_, field)) = winner {
        return Lookup::Found(field, field.name.len());
    }
    Lookup::NoClass
}

fn is_index(text: &str, signed: bool) -> bool {
    let digits = if signed {
        text.strip_prefix('-').unwrap_or(text)
    } else {
        text
    };
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn check_bracket(field: &'static Field, kind: ArgKind, text: &str) -> Result<(), FieldError> {
    match kind {
        ArgKind::Index => {
            // libsinsp parses built-in indices as signed integers; plugins want non-negative ones.
            if is_index(text, field.provider == Provider::Libsinsp) {
                Ok(())
            } else {
                Err(FieldError::ArgNotNumeric {
                    field,
                    arg: text.to_owned(),
                })
            }
        }
        _ => Ok(()),
    }
}

fn check_dotted(
    schema: &Schema,
    field: &'static Field,
    kind: ArgKind,
    text: &str,
) -> Result<FieldType, FieldError> {
    match kind {
        // `evt.rawarg.NAME` (type `dyn`) takes the parameter's type; `evt.arg.NAME` stays text.
        ArgKind::EventParam => match schema.event_param(text) {
            Some(param) if field.ty == FieldType::Dyn => Ok(param.ty),
            Some(_) => Ok(field.ty),
            None => Err(FieldError::UnknownEventParam {
                field,
                param: text.to_owned(),
                suggestion: falco_diagnostics::did_you_mean(
                    text,
                    schema.event_params().iter().map(|p| p.name),
                ),
            }),
        },
        ArgKind::EventType => {
            // Only event-table names (or a number), not syscall-only names, are accepted here.
            if schema.event_type(text).is_some() || is_index(text, false) {
                Ok(field.ty)
            } else {
                Err(FieldError::UnknownEventType {
                    field,
                    name: text.to_owned(),
                    suggestion: falco_diagnostics::did_you_mean(
                        text,
                        schema.event_types().iter().map(|e| e.name),
                    ),
                })
            }
        }
        ArgKind::SrcDst => match text {
            "src" | "dst" => Ok(field.ty),
            _ => Err(FieldError::BadArg {
                field,
                arg: text.to_owned(),
                expected: "`src` or `dst`",
            }),
        },
        ArgKind::CgroupSubsystem => {
            if !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_') {
                Ok(field.ty)
            } else {
                Err(FieldError::BadArg {
                    field,
                    arg: text.to_owned(),
                    expected: "a cgroup subsystem name (letters and `_`)",
                })
            }
        }
        ArgKind::Index => {
            if is_index(text, true) {
                Ok(field.ty)
            } else {
                Err(FieldError::ArgNotNumeric {
                    field,
                    arg: text.to_owned(),
                })
            }
        }
        ArgKind::Key | ArgKind::IndexOrKey | ArgKind::Any => Ok(field.ty),
    }
}

/// Checks the argument part of a found field: `rest` is what follows the field name.
fn finish(
    schema: &Schema,
    field: &'static Field,
    rest: &str,
    bracket_arg: Option<&str>,
) -> Result<ResolvedField, FieldError> {
    let unknown = |name: &str| FieldError::Unknown {
        name: name.to_owned(),
        suggestion: None,
    };
    if rest.is_empty() {
        let Some(text) = bracket_arg else {
            if field.arg.presence == Presence::Required {
                return Err(FieldError::ArgMissing { field });
            }
            return Ok(ResolvedField {
                field,
                ty: field.ty,
                is_list: field.is_list,
                arg: None,
            });
        };
        let Some(kind) = field.arg.bracket else {
            return Err(FieldError::ArgNotAllowed {
                field,
                form: ArgForm::Bracket,
            });
        };
        if text.is_empty() {
            if field.arg.presence == Presence::Required {
                return Err(FieldError::ArgMissing { field });
            }
        } else {
            check_bracket(field, kind, text)?;
        }
        let arg = FieldArg {
            form: ArgForm::Bracket,
            text: text.to_owned(),
        };
        return Ok(ResolvedField {
            field,
            ty: field.ty,
            is_list: field.is_list,
            arg: Some(arg),
        });
    }
    let Some(text) = rest.strip_prefix('.') else {
        return Err(unknown(""));
    };
    let Some(kind) = field.arg.dotted else {
        return Err(if field.arg.bracket.is_some() {
            FieldError::ArgNotAllowed {
                field,
                form: ArgForm::Dotted,
            }
        } else {
            unknown("")
        });
    };
    if bracket_arg.is_some() {
        // `evt.arg.fd[0]`: the dotted argument already consumed the argument slot.
        return Err(FieldError::ArgNotAllowed {
            field,
            form: ArgForm::Bracket,
        });
    }
    let ty = check_dotted(schema, field, kind, text)?;
    let arg = FieldArg {
        form: ArgForm::Dotted,
        text: text.to_owned(),
    };
    Ok(ResolvedField {
        field,
        ty,
        is_list: field.is_list,
        arg: Some(arg),
    })
}

impl Schema {
    /// Resolves a field reference as written in a rule of `source`.
    ///
    /// `name` is the dotted name as the parser read it (`proc.aname`, `evt.arg.flags`,
    /// `thread.cgroup.cpu`); `bracket_arg` is the text inside `[...]`, if any.
    pub fn resolve(
        &self,
        source: &str,
        name: &str,
        bracket_arg: Option<&str>,
    ) -> Result<ResolvedField, FieldError> {
        let Some(src) = self.source(source) else {
            return Err(FieldError::UnknownSource {
                source: source.to_owned(),
            });
        };
        match lookup(self, src, name) {
            Lookup::Found(field, len) => {
                let rest = name.get(len..).unwrap_or("");
                finish(self, field, rest, bracket_arg).map_err(|err| match err {
                    FieldError::Unknown { .. } => FieldError::Unknown {
                        name: name.to_owned(),
                        suggestion: self.suggest_field(source, name),
                    },
                    other => other,
                })
            }
            Lookup::NoClass => {
                let sources: Vec<&'static str> = self
                    .sources()
                    .iter()
                    .filter(|other| other.name != src.name)
                    .filter(|other| match lookup(self, other, name) {
                        Lookup::Found(f, len) => !matches!(
                            finish(self, f, name.get(len..).unwrap_or(""), bracket_arg),
                            Err(FieldError::Unknown { .. })
                        ),
                        Lookup::NoClass => false,
                    })
                    .map(|other| other.name)
                    .collect();
                if sources.is_empty() {
                    Err(FieldError::Unknown {
                        name: name.to_owned(),
                        suggestion: self.suggest_field(source, name),
                    })
                } else {
                    Err(FieldError::WrongSource {
                        name: name.to_owned(),
                        source: source.to_owned(),
                        sources,
                    })
                }
            }
        }
    }

    /// Whether `name` (with `bracket_arg`) resolves to a field of `source`. Cheaper
    /// than [`Schema::resolve`]: no suggestion is computed for a miss.
    pub fn is_field(&self, source: &str, name: &str, bracket_arg: Option<&str>) -> bool {
        let Some(src) = self.source(source) else {
            return false;
        };
        match lookup(self, src, name) {
            Lookup::Found(field, len) => {
                finish(self, field, name.get(len..).unwrap_or(""), bracket_arg).is_ok()
            }
            Lookup::NoClass => false,
        }
    }

    /// A field name of `source` close to `name` (did-you-mean), if any.
    pub fn suggest_field(&self, source: &str, name: &str) -> Option<&'static str> {
        falco_diagnostics::did_you_mean(name, self.fields_for(source).map(|f| f.name))
    }

    /// An event name close to `name`, if any.
    pub fn suggest_event_type(&self, name: &str) -> Option<&'static str> {
        falco_diagnostics::did_you_mean(name, self.event_type_names())
    }
}
