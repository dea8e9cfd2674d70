//! Documents and items: the shape checks every item kind shares, and the typed
//! accessors the kind readers use.

use crate::decode::{yaml_bool, yaml_unsigned};
use crate::{BrokenItem, Key, ListEntry, LoadedFile, Spanned};
use falco_diagnostics::{Code, Diagnostic, Fix, did_you_mean};
use falco_span::{FileId, FileSpan, MappedText};
use falco_yaml::{Node, NodeKind};

/// The result of reading one part of an item. Falco stops reading an item at its
/// first error; an `Err` in the item's shape (kind, name, required keys, `append`
/// and `override`) ends it here too, while a rule key's bad value goes to
/// [`KeyErrors`] and the rest of the item is read.
pub(crate) type Read<T> = Result<T, Diagnostic>;

/// The bad values of a rule's keys. Falco reports the first and stops; fixing it
/// only brings up the next, so each is reported here, the key is left unset, and
/// the rest of the rule is still read and checked.
#[derive(Debug, Default)]
pub(crate) struct KeyErrors {
    /// One error per key, in the order Falco reads the keys.
    pub errors: Vec<Diagnostic>,
    /// The keys that had one.
    failed: Vec<&'static str>,
}

impl KeyErrors {
    /// The value read for `key`, or `None` after recording its error.
    pub fn keep<T>(&mut self, key: &'static str, read: Read<T>) -> Option<T> {
        match read {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors.push(error);
                self.failed.push(key);
                None
            }
        }
    }

    /// Whether `key` already had an error (it is not read, nor reported, twice).
    pub fn failed(&self, key: &str) -> bool {
        self.failed.contains(&key)
    }

    /// Whether the rule can still be checked with its failed keys unset: not when
    /// what its condition means is unknown (`condition`, `source` or `exceptions`
    /// failed), nor when it amends another rule (an amendment without its bad key
    /// would be judged as a different amendment, e.g. one with nothing to append).
    pub fn rule_still_checkable(&self, definition: bool) -> bool {
        self.failed.is_empty()
            || definition
                && !self
                    .failed
                    .iter()
                    .any(|key| matches!(*key, "condition" | "source" | "exceptions"))
    }
}

/// What one top-level entry of a file added to its [`LoadedFile`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EntryOutput {
    /// Where the entry's node starts.
    pub start: u32,
    /// How many items, diagnostics and broken items it added.
    pub items: u32,
    pub diagnostics: u32,
    pub broken: u32,
}

/// Reads `text` into a [`LoadedFile`].
pub(crate) fn load(file: FileId, text: &str) -> LoadedFile {
    let (documents, diagnostics) = falco_yaml::parse(file, text);
    load_documents(file, text, &documents, diagnostics, &mut Vec::new())
}

/// Builds the [`LoadedFile`] of `text` from its parsed `documents` and syntax
/// errors, recording in `entries` what each top-level entry added.
pub(crate) fn load_documents(
    file: FileId,
    text: &str,
    documents: &[falco_yaml::Document],
    syntax: Vec<Diagnostic>,
    entries: &mut Vec<EntryOutput>,
) -> LoadedFile {
    let mut loaded = LoadedFile {
        file,
        items: Vec::new(),
        diagnostics: Vec::new(),
        broken: Vec::new(),
    };
    // Syntax errors are ordered by position with the items' diagnostics.
    let mut syntax = syntax.into_iter().peekable();
    for document in documents {
        while let Some(error) =
            syntax.next_if(|error| error.primary.span.span.start < document.span.span.start)
        {
            loaded.diagnostics.push(error);
        }
        let Some(root) = &document.root else {
            continue;
        };
        if root.is_null() {
            continue;
        }
        // A syntax error cut this document short: its shape says nothing.
        if !document.complete && root.as_sequence().is_none() {
            continue;
        }
        let Some(items) = root.as_sequence() else {
            let what = if matches!(root.kind, NodeKind::Mapping(_)) {
                "a mapping"
            } else {
                "a scalar"
            };
            loaded.diagnostics.push(
                Diagnostic::new(
                    Code::E102,
                    first_line(root.span, text),
                    format!("rules content must be a sequence of items, found {what}"),
                )
                .with_label("expected a `- ` item here")
                .with_help("write each rule, macro or list as an item of a top-level sequence: `- rule: ...`"),
            );
            continue;
        };
        for node in items {
            entries.push(read_entry(file, node, &mut loaded));
        }
    }
    loaded.diagnostics.extend(syntax);
    loaded
}

/// Reads one top-level entry into `loaded`; a null entry adds nothing.
pub(crate) fn read_entry(file: FileId, node: &Node, loaded: &mut LoadedFile) -> EntryOutput {
    let before = (
        loaded.items.len(),
        loaded.diagnostics.len(),
        loaded.broken.len(),
    );
    if !node.is_null() {
        match crate::kinds::read_item(file, node, &mut loaded.diagnostics) {
            Ok(Some(item)) => loaded.items.push(item),
            Ok(None) => {}
            Err(broken) => loaded.broken.push(broken),
        }
    }
    let added = |now: usize, then: usize| (now - then) as u32;
    EntryOutput {
        start: node.span.span.start,
        items: added(loaded.items.len(), before.0),
        diagnostics: added(loaded.diagnostics.len(), before.1),
        broken: added(loaded.broken.len(), before.2),
    }
}

/// The span of the first line of `span` (a whole document is too big to underline).
fn first_line(span: FileSpan, text: &str) -> FileSpan {
    let start = span.span.start as usize;
    let end = span.span.end as usize;
    let line_end = text
        .get(start..end)
        .and_then(|slice| slice.find('\n'))
        .map_or(end, |newline| start + newline);
    FileSpan::new(
        span.file,
        falco_span::Span::new(start as u32, line_end as u32),
    )
}

/// One item (or sub-mapping, like an exception) being read: its node, kind and name.
pub(crate) struct ItemReader<'n> {
    pub node: &'n Node,
    pub entries: &'n [(Node, Node)],
    /// `rule`, `macro`, `list`, ...
    pub kind: &'static str,
    /// The item's name once read.
    pub name: Option<Spanned<String>>,
}

impl<'n> ItemReader<'n> {
    /// A reader for the mapping `node` (`None` when it is not a mapping).
    pub fn new(node: &'n Node, kind: &'static str) -> Option<ItemReader<'n>> {
        Some(ItemReader {
            node,
            entries: node.as_mapping()?,
            kind,
            name: None,
        })
    }

    /// The first pair whose key is `key` (yaml-cpp's `item[key]`).
    pub fn entry(&self, key: &str) -> Option<&'n (Node, Node)> {
        self.entries
            .iter()
            .find(|(candidate, _)| candidate.as_str() == Some(key))
    }

    /// Whether the item has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    /// Where to point at the item as a whole: its name, else its first key.
    pub fn anchor(&self) -> FileSpan {
        self.name
            .as_ref()
            .map(|name| name.span)
            .or_else(|| self.entries.first().map(|(key, _)| key.span))
            .unwrap_or(self.node.span)
    }

    /// `rule `foo`` for messages.
    pub fn what(&self) -> String {
        match &self.name {
            Some(name) => format!("{} `{}`", self.kind, name.value),
            None => self.kind.to_string(),
        }
    }

    /// Every key present, in order.
    pub fn keys(&self) -> Vec<Key> {
        self.entries
            .iter()
            .map(|(key, _)| Key {
                name: key.as_str().unwrap_or_default().to_string(),
                span: key.span,
            })
            .collect()
    }

    /// `E104` for missing `keys` (all reported at once).
    pub fn missing(&self, keys: &[&str], valid: &[&str]) -> Diagnostic {
        let list = keys
            .iter()
            .map(|key| format!("`{key}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let plural = if keys.len() == 1 { "key" } else { "keys" };
        let mut diagnostic = Diagnostic::new(
            Code::E104,
            self.anchor(),
            format!("{} is missing required {plural} {list}", self.what()),
        )
        .with_label(format!("this {} needs {list}", self.kind));
        // A misspelled key is the usual cause: point at it.
        let typo = self.entries.iter().find_map(|(key, _)| {
            let written = key.as_str()?;
            if valid.contains(&written) {
                return None;
            }
            let wanted = did_you_mean(written, keys.iter().copied())?;
            Some((key.span, written, wanted))
        });
        diagnostic = match typo {
            Some((span, written, wanted)) => diagnostic
                .with_related(
                    span,
                    format!("`{written}` may be a misspelling of `{wanted}`"),
                )
                .with_help(format!("rename `{written}` to `{wanted}`"))
                .with_fix(Fix::replace(span, written, wanted)),
            None => diagnostic.with_help(format!("add {list} to the {}", self.kind)),
        };
        diagnostic
    }

    /// The value for `key` as Falco's `decode_val` checks it: present (unless
    /// `optional`), not null (unless `empty_ok`), a scalar, and non-empty (unless
    /// `empty_ok`). Returns `None` when absent and optional, or empty and allowed.
    pub fn scalar(&self, key: &str, optional: bool, empty_ok: bool) -> Read<Option<&'n Node>> {
        let Some((key_node, value)) = self.entry(key) else {
            if optional {
                return Ok(None);
            }
            return Err(self.missing(&[key], &[]));
        };
        if value.is_null() {
            if empty_ok {
                return Ok(None);
            }
            return Err(empty_value(key_node, value, key));
        }
        if value.as_scalar().is_none() {
            return Err(wrong_kind(value, key, "a scalar"));
        }
        if value.as_str() == Some("") && !empty_ok {
            return Err(empty_value(key_node, value, key));
        }
        Ok(Some(value))
    }

    /// A string value (see [`ItemReader::scalar`]).
    pub fn string(&self, key: &str, optional: bool) -> Read<Option<Spanned<String>>> {
        Ok(self.scalar(key, optional, false)?.map(spanned_string))
    }

    /// A string value mapped back to the file, with the whole scalar's span.
    pub fn mapped(&self, key: &str, optional: bool) -> Read<Option<(MappedText, FileSpan)>> {
        Ok(self.scalar(key, optional, false)?.and_then(|node| {
            let scalar = node.as_scalar()?;
            Some((scalar.text.clone(), node.span))
        }))
    }

    /// A yaml-cpp boolean.
    pub fn boolean(&self, key: &str, optional: bool) -> Read<Option<Spanned<bool>>> {
        let Some(node) = self.scalar(key, optional, false)? else {
            return Ok(None);
        };
        let text = node.as_str().unwrap_or_default();
        match yaml_bool(text) {
            Some(value) => Ok(Some(Spanned {
                value,
                span: node.span,
            })),
            None => Err(Diagnostic::new(
                Code::E106,
                node.span,
                format!("`{key}` must be a boolean, found `{text}`"),
            )
            .with_label("not a boolean")
            .with_help(format!("write `{key}: true` or `{key}: false`"))),
        }
    }

    /// A yaml-cpp unsigned integer no larger than `max`.
    pub fn unsigned(&self, key: &str, optional: bool, max: u64) -> Read<Option<Spanned<u64>>> {
        let Some(node) = self.scalar(key, optional, false)? else {
            return Ok(None);
        };
        let text = node.as_str().unwrap_or_default();
        match yaml_unsigned(text, max) {
            Some(value) => Ok(Some(Spanned {
                value,
                span: node.span,
            })),
            None => Err(Diagnostic::new(
                Code::E106,
                node.span,
                format!("`{key}` must be a non-negative integer, found `{text}`"),
            )
            .with_label("not an integer")
            .with_help(format!("write a whole number, at most {max}"))),
        }
    }

    /// A sequence of scalars (`items`, `tags`), as Falco's `decode_seq` checks it.
    pub fn scalar_list(&self, key: &str, optional: bool) -> Read<Option<Spanned<Vec<ListEntry>>>> {
        let Some((key_node, value)) = self.entry(key) else {
            if optional {
                return Ok(None);
            }
            return Err(self.missing(&[key], &[]));
        };
        if value.is_null() {
            return Err(empty_value(key_node, value, key)
                .with_help(format!("write `{key}: []` for an empty list")));
        }
        let Some(entries) = value.as_sequence() else {
            return Err(wrong_kind(value, key, "a sequence"));
        };
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            match entry.as_scalar() {
                Some(_) => out.push(list_entry(entry)),
                None => {
                    return Err(Diagnostic::new(
                        Code::E106,
                        entry.span,
                        format!(
                            "entries of `{key}` must be scalars, found a {}",
                            entry.kind_name()
                        ),
                    )
                    .with_label(format!("not a scalar {key} entry")));
                }
            }
        }
        Ok(Some(Spanned {
            value: out,
            span: value.span,
        }))
    }
}

/// A scalar node as a spanned string (null and non-scalars read as empty).
pub(crate) fn spanned_string(node: &Node) -> Spanned<String> {
    Spanned {
        value: node.as_str().unwrap_or_default().to_string(),
        span: node.span,
    }
}

/// A scalar node as a list entry.
pub(crate) fn list_entry(node: &Node) -> ListEntry {
    ListEntry {
        value: node.as_str().unwrap_or_default().to_string(),
        span: node.span,
        quoted: node
            .as_scalar()
            .is_some_and(|scalar| scalar.style.is_quoted()),
    }
}

/// `E105` for an empty value.
pub(crate) fn empty_value(key: &Node, value: &Node, name: &str) -> Diagnostic {
    let span = if value.is_null() {
        key.span
    } else {
        value.span
    };
    Diagnostic::new(Code::E105, span, format!("`{name}` has an empty value"))
        .with_label("needs a value")
        .with_help(format!("give `{name}` a value, or remove the key"))
}

/// `E106` for a value of the wrong YAML kind.
pub(crate) fn wrong_kind(value: &Node, key: &str, expected: &str) -> Diagnostic {
    Diagnostic::new(
        Code::E106,
        value.span,
        format!("`{key}` must be {expected}, found a {}", value.kind_name()),
    )
    .with_label(format!("expected {expected}"))
}

/// The item a diagnostic ended, so later stages can avoid follow-on errors.
pub(crate) fn broken(reader: &ItemReader<'_>) -> BrokenItem {
    BrokenItem {
        kind: reader.kind,
        name: reader.name.clone(),
        span: reader.node.span,
    }
}

/// `W102` for each key not in `valid`.
pub(crate) fn unknown_keys(reader: &ItemReader<'_>, valid: &[&str], out: &mut Vec<Diagnostic>) {
    for (key, _) in reader.entries {
        let Some(name) = key.as_str() else {
            continue;
        };
        if valid.contains(&name) {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            Code::W102,
            key.span,
            format!("unknown key `{name}` in {}, it is ignored", reader.what()),
        )
        .with_label("unknown key");
        diagnostic = match did_you_mean(name, valid.iter().copied()) {
            Some(suggestion) => diagnostic.with_did_you_mean(name, suggestion),
            None => diagnostic.with_note(format!(
                "a {} accepts: {}",
                reader.kind,
                valid
                    .iter()
                    .map(|key| format!("`{key}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        out.push(diagnostic);
    }
}

/// Items Falco reads, in the order it tries them.
pub(crate) const ITEM_KINDS: &[&str] = &[
    "required_engine_version",
    "required_plugin_versions",
    "list",
    "macro",
    "rule",
];
