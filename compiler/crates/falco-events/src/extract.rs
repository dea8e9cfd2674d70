//! Extractors: a field reference compiled once, then evaluated on many events.

use std::fmt;

use falco_schema::{FieldArg, FieldError, ResolvedField, Schema};

use crate::event::{Event, EventBody, Source};
use crate::k8s::K8sField;
use crate::syscall::SysField;
use crate::time::{write_clock, write_iso8601};
use crate::value::{FieldValue, Scratch};

const NS: u64 = 1_000_000_000;

/// A field reference that cannot be compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct UnsupportedField {
    /// The field as given (`name[arg]`).
    pub field: String,
    /// Why.
    pub reason: UnsupportedReason,
}

/// Why a field reference cannot be compiled.
#[derive(Debug, Clone, PartialEq)]
pub enum UnsupportedReason {
    /// The source is not one this crate reads (`aws_cloudtrail`, `okta`, ...).
    UnknownSource,
    /// The schema rejects the name or its argument.
    Invalid(FieldError),
}

impl fmt::Display for UnsupportedField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            UnsupportedReason::UnknownSource => {
                write!(
                    f,
                    "field `{}`: events of this source cannot be read",
                    self.field
                )
            }
            UnsupportedReason::Invalid(err) => write!(f, "field `{}`: {err}", self.field),
        }
    }
}

impl std::error::Error for UnsupportedField {}

/// The `evt.*` fields every source has (libsinsp's generic event class).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generic {
    Num,
    Time,
    TimeS,
    TimeIso8601,
    Datetime,
    DatetimeS,
    RawTime,
    RawTimeS,
    RawTimeNs,
    RelTime,
    RelTimeS,
    RelTimeNs,
    PluginName,
    PluginInfo,
    Source,
    IsAsync,
    AsyncType,
    Hostname,
}

impl Generic {
    fn from_name(name: &str) -> Option<Generic> {
        Some(match name {
            "evt.num" => Generic::Num,
            "evt.time" => Generic::Time,
            "evt.time.s" => Generic::TimeS,
            "evt.time.iso8601" => Generic::TimeIso8601,
            "evt.datetime" => Generic::Datetime,
            "evt.datetime.s" => Generic::DatetimeS,
            "evt.rawtime" => Generic::RawTime,
            "evt.rawtime.s" => Generic::RawTimeS,
            "evt.rawtime.ns" => Generic::RawTimeNs,
            "evt.reltime" => Generic::RelTime,
            "evt.reltime.s" => Generic::RelTimeS,
            "evt.reltime.ns" => Generic::RelTimeNs,
            "evt.pluginname" => Generic::PluginName,
            "evt.plugininfo" => Generic::PluginInfo,
            "evt.source" => Generic::Source,
            "evt.is_async" => Generic::IsAsync,
            "evt.asynctype" => Generic::AsyncType,
            "evt.hostname" => Generic::Hostname,
            _ => return None,
        })
    }

    fn extract<'a>(self, ev: &'a Event, scratch: &'a mut Scratch) -> FieldValue<'a> {
        scratch.clear();
        let rel = ev.ts.saturating_sub(ev.first_ts);
        match self {
            Generic::Num => FieldValue::U64(ev.num),
            Generic::Time => {
                write_clock(ev.ts, false, true, &mut scratch.buf);
                scratch.text()
            }
            Generic::TimeS => {
                write_clock(ev.ts, false, false, &mut scratch.buf);
                scratch.text()
            }
            Generic::TimeIso8601 => {
                write_iso8601(ev.ts, &mut scratch.buf);
                scratch.text()
            }
            Generic::Datetime => {
                write_clock(ev.ts, true, true, &mut scratch.buf);
                scratch.text()
            }
            Generic::DatetimeS => {
                write_clock(ev.ts, true, false, &mut scratch.buf);
                scratch.text()
            }
            Generic::RawTime => FieldValue::AbsTime(ev.ts),
            Generic::RawTimeS => FieldValue::AbsTime(ev.ts / NS),
            Generic::RawTimeNs => FieldValue::AbsTime(ev.ts % NS),
            Generic::RelTime => FieldValue::RelTime(rel),
            Generic::RelTimeS => FieldValue::RelTime(rel / NS),
            Generic::RelTimeNs => FieldValue::RelTime(rel % NS),
            Generic::PluginName => match ev.body {
                EventBody::K8sAudit(_) => FieldValue::Str("k8saudit"),
                EventBody::Syscall(_) => FieldValue::Missing,
            },
            Generic::PluginInfo => match &ev.body {
                EventBody::K8sAudit(k) => FieldValue::Str(&k.data),
                EventBody::Syscall(_) => FieldValue::Missing,
            },
            Generic::Source => FieldValue::Str(ev.source().name()),
            Generic::IsAsync => FieldValue::Bool(false),
            Generic::AsyncType => FieldValue::Missing,
            Generic::Hostname => ev
                .hostname
                .as_deref()
                .map_or(FieldValue::Missing, FieldValue::Str),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Generic(Generic),
    K8s(K8sField),
    Sys(SysField),
    /// A valid field this crate does not compute: always `<NA>`.
    Unsupported,
}

/// A compiled field reference: build it once (at bundle load), then call
/// [`Extractor::extract`] on each event.
#[derive(Debug, Clone, PartialEq)]
pub struct Extractor {
    source: Source,
    kind: Kind,
    name: &'static str,
    filter_only: bool,
}

impl Extractor {
    /// Compiles field `field` of source `source`. `field` is the name as written in a rule:
    /// `proc.name`, `evt.arg.flags`, `ka.uri.param` with `arg = Some("command")`, or the
    /// whole `ka.uri.param[command]`. The pair the schema's resolver produces (`evt.arg` with
    /// dotted argument `flags`) is accepted too.
    ///
    /// Errors only for unknown sources and names the schema rejects. A valid field that this
    /// crate does not compute compiles to an extractor that always yields
    /// [`FieldValue::Missing`]; [`Extractor::is_supported`] and [`supported`] tell them apart.
    pub fn new(
        source: &str,
        field: &str,
        arg: Option<&str>,
    ) -> Result<Extractor, UnsupportedField> {
        let (name, arg) = match (arg, field.split_once('[')) {
            (None, Some((name, rest))) if rest.ends_with(']') => (name, rest.strip_suffix(']')),
            _ => (field, arg),
        };
        let shown = match arg {
            Some(a) => format!("{name}[{a}]"),
            None => name.to_owned(),
        };
        let Some(src) = Source::from_name(source) else {
            return Err(UnsupportedField {
                field: shown,
                reason: UnsupportedReason::UnknownSource,
            });
        };
        let schema = Schema::get();
        let resolved = match schema.resolve(source, name, arg) {
            Ok(r) => r,
            Err(err) => {
                // The resolver's own output for a dotted argument: `evt.arg` + `flags`.
                let joined = arg.map(|a| format!("{name}.{a}"));
                match joined.as_deref().map(|j| schema.resolve(source, j, None)) {
                    Some(Ok(r)) => r,
                    _ => {
                        return Err(UnsupportedField {
                            field: shown,
                            reason: UnsupportedReason::Invalid(err),
                        });
                    }
                }
            }
        };
        Ok(Self::from_resolved(src, &resolved))
    }

    /// Compiles a field the schema has already resolved for `source`.
    pub fn from_resolved(source: Source, field: &ResolvedField) -> Extractor {
        let name = field.field.name;
        let arg = field.arg.as_ref().map(|a: &FieldArg| a.text.as_str());
        let kind = if let Some(g) = Generic::from_name(name) {
            Kind::Generic(g)
        } else {
            match source {
                Source::K8sAudit => {
                    K8sField::compile(name, arg).map_or(Kind::Unsupported, Kind::K8s)
                }
                Source::Syscall => {
                    SysField::compile(name, arg).map_or(Kind::Unsupported, Kind::Sys)
                }
            }
        };
        Extractor {
            source,
            kind,
            name,
            filter_only: field.field.flags.filter_only,
        }
    }

    /// True for a field meant for conditions only (`fd.ip`, `fd.port`, ...): an
    /// output prints it as having no value (`<NA>`, `null` in JSON), as Falco's
    /// formatter does.
    pub fn is_filter_only(&self) -> bool {
        self.filter_only
    }

    /// The field's schema name (without argument).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The source the field was compiled for.
    pub fn source(&self) -> Source {
        self.source
    }

    /// False when this crate does not compute the field (it is always `<NA>`).
    pub fn is_supported(&self) -> bool {
        !matches!(self.kind, Kind::Unsupported)
    }

    /// The field's value on `event`. Events of another source give `<NA>`. Text built for
    /// the value lives in `scratch`, which is cleared first.
    pub fn extract<'a>(&self, event: &'a Event, scratch: &'a mut Scratch) -> FieldValue<'a> {
        match (&self.kind, &event.body) {
            (Kind::Generic(g), _) => g.extract(event, scratch),
            (Kind::K8s(f), EventBody::K8sAudit(k)) => f.extract(k, event.ts, scratch),
            (Kind::Sys(f), EventBody::Syscall(s)) => f.extract(s, event, scratch),
            _ => FieldValue::Missing,
        }
    }
}

/// True if this crate computes field `field` (schema name, without argument) for `source`.
/// The runtime uses it to list the fields a bundle needs that it cannot supply.
pub fn supported(source: &str, field: &str) -> bool {
    let Some(src) = Source::from_name(source) else {
        return false;
    };
    if Generic::from_name(field).is_some() {
        return true;
    }
    match src {
        Source::K8sAudit => {
            K8sField::compile(field, None).is_ok() || K8sField::compile(field, Some("x")).is_ok()
        }
        Source::Syscall => SysField::is_supported(field),
    }
}
