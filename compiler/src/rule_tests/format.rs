//! Reading a rule test file (`docs/rule-tests.md`): YAML with spans → [`TestFile`].
//!
//! Every problem is reported with its line and column; reading goes on after one, so a file
//! with several mistakes shows them all.

use std::path::{Path, PathBuf};

use falco_events::Source;
use falco_span::{FileId, FileSpan, LineIndex, Position};
use falco_yaml::{Node, NodeKind};

use super::yaml_json::{self, Fill};

/// A problem in a test file, at a position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestFileError {
    /// Where (1-based line and column); `None` for whole-file problems.
    pub position: Option<Position>,
    /// What is wrong.
    pub message: String,
}

/// Which rules a test file loads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RulesSpec {
    /// The rules embedded in `falco-rulec` (`rules-stdlib/rules`).
    Stdlib,
    /// Rules files (or directories) in load order, as (written, resolved against the test
    /// file's directory).
    Files(Vec<(String, PathBuf)>),
}

/// How many rules may fire on one event (Falco's `rule_matching`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleMatching {
    /// Only the first matching rule, in load order (Falco's default).
    First,
    /// Every matching rule.
    All,
}

/// A parsed test file.
#[derive(Clone, Debug)]
pub struct TestFile {
    /// The path as given.
    pub path: PathBuf,
    /// Its rules.
    pub rules: RulesSpec,
    /// `rule_matching`.
    pub rule_matching: RuleMatching,
    /// The cases, in order.
    pub cases: Vec<Case>,
}

/// Where a case's events come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventsSpec {
    /// Events written in the test file, already converted to the reader's text (one JSON
    /// value per line); `positions[i]` is where event `i` is written.
    Inline {
        /// JSON text, one event per line.
        text: String,
        /// Position of each event in the test file.
        positions: Vec<Position>,
    },
    /// An events file, resolved against the test file's directory.
    File(PathBuf),
}

/// A rule expected to fire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// The rule's name.
    pub rule: String,
    /// Exactly this many alerts; `None`: at least one.
    pub count: Option<u64>,
    /// Output fields every alert of the rule must have, as (field, text).
    pub output_fields: Vec<(String, String)>,
    /// Where the expectation is written.
    pub position: Position,
}

/// The rules that must not fire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotFire {
    /// These rules (name, position).
    Rules(Vec<(String, Position)>),
    /// Every rule not listed under `fire`.
    Others,
}

/// One test case.
#[derive(Clone, Debug)]
pub struct Case {
    /// Its name.
    pub name: String,
    /// Where it starts.
    pub position: Position,
    /// The events' source.
    pub source: Source,
    /// Whether `source` was written; if not, an events file's source is detected from its
    /// first event.
    pub source_given: bool,
    /// The events.
    pub events: EventsSpec,
    /// Rules that must fire.
    pub fire: Vec<Expectation>,
    /// Rules that must not fire.
    pub not_fire: NotFire,
}

/// Parses `text` (the file at `path`). Rules and events paths are resolved against the
/// file's directory.
pub fn parse(path: &Path, text: &str) -> Result<TestFile, Vec<TestFileError>> {
    let mut reader = Reader {
        text,
        index: LineIndex::new(text),
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        errors: Vec::new(),
    };
    let (documents, diagnostics) = falco_yaml::parse(FileId(0), text);
    // A syntax error cuts the document short: what is missing after it is not worth
    // reporting too.
    if !diagnostics.is_empty() {
        for diagnostic in &diagnostics {
            let position = reader.pos(diagnostic.primary.span);
            reader.error(position, diagnostic.message.clone());
        }
        return Err(reader.errors);
    }
    let mut roots = documents.iter().filter_map(|d| d.root.as_ref());
    let file = match (roots.next(), roots.next()) {
        (Some(root), None) => reader.file(path, root),
        (Some(_), Some(extra)) => {
            let position = reader.pos(extra.span);
            reader.error(position, "a test file holds one YAML document");
            None
        }
        (None, _) => {
            if reader.errors.is_empty() {
                reader.errors.push(TestFileError {
                    position: None,
                    message: "the file is empty; expected a mapping with `cases`".into(),
                });
            }
            None
        }
    };
    match file {
        Some(file) if reader.errors.is_empty() => Ok(file),
        _ => Err(reader.errors),
    }
}

struct Reader<'a> {
    text: &'a str,
    index: LineIndex,
    dir: PathBuf,
    errors: Vec<TestFileError>,
}

const FILE_KEYS: &[&str] = &["rules", "rule_matching", "cases"];
const CASE_KEYS: &[&str] = &[
    "name",
    "source",
    "events",
    "events_file",
    "fire",
    "not_fire",
];
const FIRE_KEYS: &[&str] = &["rule", "count", "output_fields"];

impl Reader<'_> {
    fn pos(&self, span: FileSpan) -> Position {
        self.index.position(self.text, span.span.start)
    }

    fn error(&mut self, position: Position, message: impl Into<String>) {
        self.errors.push(TestFileError {
            position: Some(position),
            message: message.into(),
        });
    }

    fn error_at(&mut self, node: &Node, message: impl Into<String>) {
        let position = self.pos(node.span);
        self.error(position, message);
    }

    /// The mapping's pairs, after reporting unknown and duplicate keys.
    fn mapping<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &[&str],
    ) -> Option<&'n [(Node, Node)]> {
        let Some(entries) = node.as_mapping() else {
            self.error_at(
                node,
                format!("{what} must be a mapping, not a {}", node.kind_name()),
            );
            return None;
        };
        let mut seen: Vec<&str> = Vec::new();
        for (key, _) in entries {
            match key.as_str() {
                Some(name) if known.contains(&name) => {
                    if seen.contains(&name) {
                        self.error_at(key, format!("`{name}` is given twice in {what}"));
                    }
                    seen.push(name);
                }
                Some(name) => {
                    let hint = did_you_mean(name, known);
                    self.error_at(key, format!("unknown key `{name}` in {what}{hint}"));
                }
                None => self.error_at(key, format!("{what} keys must be scalars")),
            }
        }
        Some(entries)
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match node.as_str() {
            Some(text) if matches!(node.kind, NodeKind::Scalar(_)) => Some(text.to_owned()),
            _ => {
                self.error_at(
                    node,
                    format!("{what} must be a string, not a {}", node.kind_name()),
                );
                None
            }
        }
    }

    fn file(&mut self, path: &Path, root: &Node) -> Option<TestFile> {
        let entries = self.mapping(root, "the test file", FILE_KEYS)?;
        let get = |key: &str| entries.iter().find(|(k, _)| k.as_str() == Some(key));
        let rules = match get("rules") {
            None => Some(RulesSpec::Stdlib),
            Some((_, value)) => self.rules(value),
        };
        let rule_matching = match get("rule_matching") {
            None => Some(RuleMatching::First),
            Some((_, value)) => match value.as_str() {
                Some("first") => Some(RuleMatching::First),
                Some("all") => Some(RuleMatching::All),
                _ => {
                    self.error_at(value, "`rule_matching` is `first` or `all`");
                    None
                }
            },
        };
        let cases = match get("cases") {
            None => {
                self.error_at(root, "the test file has no `cases`");
                None
            }
            Some((_, value)) => self.cases(value),
        };
        Some(TestFile {
            path: path.to_path_buf(),
            rules: rules?,
            rule_matching: rule_matching?,
            cases: cases?,
        })
    }

    fn rules(&mut self, node: &Node) -> Option<RulesSpec> {
        if node.as_str() == Some("stdlib") {
            return Some(RulesSpec::Stdlib);
        }
        let items: Vec<&Node> = match &node.kind {
            NodeKind::Sequence(items) => items.iter().collect(),
            NodeKind::Scalar(_) if !node.is_null() => vec![node],
            _ => {
                self.error_at(
                    node,
                    "`rules` is `stdlib` or a list of rules files (relative to the test file)",
                );
                return None;
            }
        };
        if items.is_empty() {
            self.error_at(node, "`rules` lists no file");
            return None;
        }
        let mut files = Vec::new();
        for item in items {
            let file = self.string(item, "a rules file")?;
            let resolved = self.dir.join(&file);
            files.push((file, resolved));
        }
        Some(RulesSpec::Files(files))
    }

    fn cases(&mut self, node: &Node) -> Option<Vec<Case>> {
        let Some(items) = node.as_sequence() else {
            self.error_at(
                node,
                format!("`cases` must be a list, not a {}", node.kind_name()),
            );
            return None;
        };
        if items.is_empty() {
            self.error_at(node, "`cases` is empty");
            return None;
        }
        let before = self.errors.len();
        let mut cases = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            if let Some(case) = self.case(index, item) {
                if names.contains(&case.name) {
                    self.error_at(item, format!("two cases are named `{}`", case.name));
                }
                names.push(case.name.clone());
                cases.push(case);
            }
        }
        (self.errors.len() == before).then_some(cases)
    }

    fn case(&mut self, index: usize, node: &Node) -> Option<Case> {
        let entries = self.mapping(node, "a case", CASE_KEYS)?;
        let get = |key: &str| entries.iter().find(|(k, _)| k.as_str() == Some(key));
        let position = self.pos(node.span);
        let name = match get("name") {
            Some((_, value)) => self.string(value, "`name`"),
            None => {
                self.error_at(node, format!("case {} has no `name`", index + 1));
                None
            }
        };
        let source = match get("source") {
            None => Some(Source::Syscall),
            Some((_, value)) => match value.as_str().and_then(Source::from_name) {
                Some(source) => Some(source),
                None => {
                    self.error_at(value, "`source` is `syscall` or `k8s_audit`");
                    None
                }
            },
        };
        let events = match (get("events"), get("events_file")) {
            (Some((_, events)), None) => source.and_then(|source| {
                let case_name = name.as_deref().unwrap_or("case");
                self.inline_events(events, source, index, case_name)
            }),
            (None, Some((_, file))) => self
                .string(file, "`events_file`")
                .map(|file| EventsSpec::File(self.dir.join(file))),
            (Some(_), Some((key, _))) => {
                self.error_at(key, "give `events` or `events_file`, not both");
                None
            }
            (None, None) => {
                self.error_at(node, "the case has no `events` (or `events_file`)");
                None
            }
        };
        let fire = match get("fire") {
            None => Some(Vec::new()),
            Some((_, value)) => self.fire(value),
        };
        let not_fire = match get("not_fire") {
            None => Some(NotFire::Rules(Vec::new())),
            Some((_, value)) => self.not_fire(value),
        };
        if get("fire").is_none() && get("not_fire").is_none() {
            self.error_at(
                node,
                "the case expects nothing: give `fire`, `not_fire` or both",
            );
        }
        let (fire, not_fire) = (fire?, not_fire?);
        if let NotFire::Rules(rules) = &not_fire {
            for (rule, position) in rules {
                if fire.iter().any(|e| &e.rule == rule) {
                    self.error(
                        *position,
                        format!("`{rule}` is under both `fire` and `not_fire`"),
                    );
                }
            }
        }
        Some(Case {
            name: name?,
            position,
            source: source?,
            source_given: get("source").is_some(),
            events: events?,
            fire,
            not_fire,
        })
    }

    fn inline_events(
        &mut self,
        node: &Node,
        source: Source,
        case_index: usize,
        case_name: &str,
    ) -> Option<EventsSpec> {
        let Some(items) = node.as_sequence() else {
            self.error_at(node, "`events` must be a list of events");
            return None;
        };
        if items.is_empty() {
            self.error_at(node, "`events` is empty");
            return None;
        }
        let mut text = String::new();
        let mut positions = Vec::new();
        let mut ok = true;
        for (index, item) in items.iter().enumerate() {
            let fill = Fill {
                source,
                case_index,
                case_name,
                event_index: index,
            };
            match yaml_json::event_line(item, &fill) {
                Ok(line) => {
                    text.push_str(&line);
                    text.push('\n');
                    positions.push(self.pos(item.span));
                }
                Err((span, message)) => {
                    let position = self.pos(span);
                    self.error(position, message);
                    ok = false;
                }
            }
        }
        ok.then_some(EventsSpec::Inline { text, positions })
    }

    fn fire(&mut self, node: &Node) -> Option<Vec<Expectation>> {
        let Some(items) = node.as_sequence() else {
            self.error_at(
                node,
                "`fire` must be a list of rule names or `{rule, count, output_fields}`",
            );
            return None;
        };
        let before = self.errors.len();
        let mut out: Vec<Expectation> = Vec::new();
        for item in items {
            let position = self.pos(item.span);
            let expectation = if matches!(item.kind, NodeKind::Scalar(_)) {
                self.string(item, "a rule name").map(|rule| Expectation {
                    rule,
                    count: None,
                    output_fields: Vec::new(),
                    position,
                })
            } else {
                self.fire_entry(item)
            };
            if let Some(expectation) = expectation {
                if out.iter().any(|e| e.rule == expectation.rule) {
                    self.error(position, format!("`{}` is listed twice", expectation.rule));
                }
                out.push(expectation);
            }
        }
        (self.errors.len() == before).then_some(out)
    }

    fn fire_entry(&mut self, node: &Node) -> Option<Expectation> {
        let entries = self.mapping(node, "a `fire` entry", FIRE_KEYS)?;
        let get = |key: &str| entries.iter().find(|(k, _)| k.as_str() == Some(key));
        let rule = match get("rule") {
            Some((_, value)) => self.string(value, "`rule`"),
            None => {
                self.error_at(node, "a `fire` entry needs `rule`");
                None
            }
        };
        let count = match get("count") {
            None => Some(None),
            Some((_, value)) => match value.as_str().map(str::parse::<u64>) {
                Some(Ok(count)) if count > 0 => Some(Some(count)),
                _ => {
                    self.error_at(
                        value,
                        "`count` is a number of alerts, at least 1 (list the rule under `not_fire` for 0)",
                    );
                    None
                }
            },
        };
        let output_fields = match get("output_fields") {
            None => Some(Vec::new()),
            Some((_, value)) => self.output_fields(value),
        };
        Some(Expectation {
            rule: rule?,
            count: count?,
            output_fields: output_fields?,
            position: self.pos(node.span),
        })
    }

    fn output_fields(&mut self, node: &Node) -> Option<Vec<(String, String)>> {
        let Some(entries) = node.as_mapping() else {
            self.error_at(
                node,
                "`output_fields` must map field names to their expected text",
            );
            return None;
        };
        let before = self.errors.len();
        let mut out: Vec<(String, String)> = Vec::new();
        for (key, value) in entries {
            let Some(field) = self.string(key, "a field name") else {
                continue;
            };
            if out.iter().any(|(f, _)| *f == field) {
                self.error_at(key, format!("`{field}` is given twice"));
            }
            let text = if value.is_null() {
                Some("<NA>".to_owned())
            } else {
                self.string(value, "an expected field value")
            };
            if let Some(text) = text {
                out.push((field, text));
            }
        }
        (self.errors.len() == before).then_some(out)
    }

    fn not_fire(&mut self, node: &Node) -> Option<NotFire> {
        if node.as_str() == Some("others") {
            return Some(NotFire::Others);
        }
        let Some(items) = node.as_sequence() else {
            self.error_at(node, "`not_fire` is a list of rule names, or `others`");
            return None;
        };
        let mut rules = Vec::new();
        for item in items {
            let position = self.pos(item.span);
            if let Some(rule) = self.string(item, "a rule name") {
                rules.push((rule, position));
            }
        }
        Some(NotFire::Rules(rules))
    }
}

/// ", did you mean `x`?" for the closest known key, if close enough.
fn did_you_mean(name: &str, known: &[&str]) -> String {
    falco_diagnostics::did_you_mean(name, known.iter().copied())
        .map(|candidate| format!(", did you mean `{candidate}`?"))
        .unwrap_or_default()
}
