//! The registry: every diagnostic code, declared once.
//!
//! Each row is `CODE, kebab-name, default severity, Falco load-result code, summary`.
//! The kebab name reads after "allow" (ruff's convention). The Falco column names the
//! `falco_load_result` code Falco reports for the same problem (or `none` where Falco
//! is silent); the loader conformance test compares through it. Codes are never
//! removed: a retired code keeps its row and its doc says it is no longer emitted.
//! Every code has a doc at `docs/codes/<CODE>.md` (checked by a tidy test).

use crate::Severity;

macro_rules! codes {
    ($($code:ident, $name:literal, $severity:ident, $falco:ident, $summary:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = $summary]
                $code,
            )*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$code),*];

            /// The code as written, e.g. `E401`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code),)* }
            }

            /// The kebab-case name, e.g. `unknown-field`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$code => $name,)* }
            }

            /// The severity the code has unless a stage overrides it.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$code => Severity::$severity,)* }
            }

            /// The Falco load-result code for the same problem, if Falco reports it.
            pub fn falco_code(self) -> Option<&'static str> {
                match self { $(Code::$code => falco_code_name(stringify!($falco)),)* }
            }

            /// One-line summary.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$code => $summary,)* }
            }
        }
    };
}

fn falco_code_name(name: &'static str) -> Option<&'static str> {
    (name != "none").then_some(name)
}

codes! {
    // Files and YAML shape (E1xx, W1xx).
    E100, "unreadable-file", Error, LOAD_ERR_FILE_READ, "a rules or config file could not be read";
    E101, "yaml-syntax", Error, LOAD_ERR_YAML_PARSE, "the text is not valid YAML";
    E102, "document-not-a-sequence", Error, LOAD_ERR_YAML_VALIDATE, "a YAML document is not a sequence of items";
    E103, "item-not-a-mapping", Error, LOAD_ERR_YAML_VALIDATE, "an item of the rules file is not a mapping";
    E104, "missing-required-key", Error, LOAD_ERR_YAML_VALIDATE, "an item lacks a key it must have";
    E105, "empty-value", Error, LOAD_ERR_YAML_VALIDATE, "a key that needs a value has an empty one";
    E106, "wrong-value-kind", Error, LOAD_ERR_YAML_VALIDATE, "a value has the wrong YAML kind or cannot be decoded";
    E107, "invalid-priority", Error, LOAD_ERR_YAML_VALIDATE, "a rule's priority is not one Falco knows";
    E108, "invalid-engine-version", Error, LOAD_ERR_YAML_VALIDATE, "a required engine version is neither an integer nor a semantic version";
    E109, "invalid-override", Error, LOAD_ERR_YAML_VALIDATE, "an `override` entry does not match the item's keys or is not allowed";
    E110, "invalid-plugin-requirement", Error, LOAD_ERR_VALIDATE, "a `required_plugin_versions` entry is malformed";
    E111, "yaml-nesting-too-deep", Error, LOAD_ERR_YAML_PARSE, "YAML nodes nest deeper than Falco's reader allows";
    W101, "unknown-item", Warning, LOAD_UNKNOWN_ITEM, "a top-level item is none of rule, macro, list or a version requirement";
    W102, "unknown-key", Warning, LOAD_UNKNOWN_KEY, "an item has a key its kind does not accept";
    W103, "deprecated-append", Warning, LOAD_DEPRECATED_ITEM, "`append: true` is deprecated in favour of `override`";
    W104, "deprecated-enabled-toggle", Warning, LOAD_DEPRECATED_ITEM, "an item with only `rule` and `enabled` is deprecated";
    I101, "integer-engine-version", Info, none, "an integer `required_engine_version` is the old form of a semantic version";
    W106, "invalid-macro-name", Warning, LOAD_INVALID_MACRO_NAME, "a macro name cannot be referenced from a condition";
    W107, "invalid-list-name", Warning, LOAD_INVALID_LIST_NAME, "a list name cannot be referenced from a condition";

    // Resolution across items and files (E2xx, W2xx, I2xx).
    E201, "engine-version-too-new", Error, LOAD_ERR_VALIDATE, "the file requires a newer engine than the target";
    E202, "undefined-override-target", Error, LOAD_ERR_VALIDATE, "an append, override or enabled toggle names an item that does not exist";
    E203, "undefined-macro", Error, LOAD_ERR_VALIDATE, "a condition uses a macro that is not defined before it";
    E204, "source-mismatch", Error, LOAD_ERR_VALIDATE, "a rule is redefined or appended with a different source";
    E205, "exception-arity-mismatch", Error, LOAD_ERR_VALIDATE, "an exception's fields, comps and values have different lengths";
    E206, "invalid-exception", Error, LOAD_ERR_VALIDATE, "an exception is malformed or uses an operator it cannot";
    E207, "empty-append", Error, LOAD_ERR_VALIDATE, "an `append: true` rule item brings no condition, output, description, tags or exceptions";
    E208, "macro-reference-loop", Error, LOAD_ERR_VALIDATE, "macros refer to each other, or a macro to itself, in a loop";
    E209, "unsatisfiable-plugin-requirement", Error, none, "no release of a required plugin can meet the version `required_plugin_versions` asks for";
    E210, "macro-nesting-too-deep", Error, none, "a rule's condition nests too deep once its macros are inlined";
    E211, "condition-too-large", Error, none, "a rule's condition grows past the size limit once its macros are inlined";
    W201, "unused-macro", Warning, LOAD_UNUSED_MACRO, "no rule or macro refers to the macro";
    W202, "unused-list", Warning, LOAD_UNUSED_LIST, "no rule, macro or list refers to the list";
    W203, "unknown-source", Warning, LOAD_UNKNOWN_SOURCE, "a rule's source is not known, so the rule is skipped";
    W204, "duplicate-exception-name", Warning, LOAD_EXCEPTION_NAME_NOT_UNIQUE, "a rule defines two exceptions with the same name";
    W205, "exception-without-values", Warning, LOAD_APPEND_NO_VALUES, "an appended or overridden exception has no values";
    W206, "no-evttype-restriction", Warning, LOAD_NO_EVTTYPE, "a rule matches too many event types";
    I201, "redefined-item", Info, none, "an item replaces an earlier definition with the same name";

    // Condition syntax (E3xx).
    E301, "condition-syntax", Error, LOAD_ERR_COMPILE_CONDITION, "the condition does not follow the grammar";
    E302, "unbalanced-parentheses", Error, LOAD_ERR_COMPILE_CONDITION, "a parenthesis is not closed, or closes nothing";
    E303, "missing-value", Error, LOAD_ERR_COMPILE_CONDITION, "an operator has no value on its right";
    E304, "invalid-escape", Error, LOAD_ERR_COMPILE_CONDITION, "a quoted string has an escape Falco does not accept";
    E305, "nesting-too-deep", Error, LOAD_ERR_COMPILE_CONDITION, "the condition nests deeper than Falco allows";
    E306, "expected-operator", Error, LOAD_ERR_COMPILE_CONDITION, "a field is followed by something that is not an operator";

    // Fields and types (E4xx, W4xx).
    E401, "unknown-field", Error, LOAD_ERR_COMPILE_CONDITION, "a condition names a field no schema defines";
    E402, "field-of-another-source", Error, LOAD_ERR_COMPILE_CONDITION, "a field exists, but not for the rule's source";
    E403, "operator-type-mismatch", Error, LOAD_ERR_COMPILE_CONDITION, "an operator is not defined for the field's type";
    E404, "invalid-value", Error, LOAD_ERR_COMPILE_CONDITION, "a value cannot be converted to the field's type";
    E405, "unknown-event-type", Error, LOAD_ERR_COMPILE_CONDITION, "an `evt.type` value names no event";
    E406, "invalid-field-argument", Error, LOAD_ERR_COMPILE_CONDITION, "a field argument is missing, not allowed, or of the wrong kind";
    E407, "transformer-type-mismatch", Error, LOAD_ERR_COMPILE_CONDITION, "a transformer is applied to a type it does not take";
    E408, "invalid-field-comparison", Error, LOAD_ERR_COMPILE_CONDITION, "a field-to-field comparison is not allowed here";
    E409, "regex-too-large", Error, none, "a regular expression compiles to more than the VM's size limit";
    E410, "transformer-nesting-too-deep", Error, none, "transformers nest deeper than a bundle's operands may";
    E411, "value-too-long", Error, LOAD_ERR_COMPILE_CONDITION, "a value is longer than the 255 bytes Falco takes for a string or byte field";
    W401, "deprecated-field", Warning, LOAD_DEPRECATED_ITEM, "a condition or output uses a deprecated field";
    W402, "unsafe-na-check", Warning, LOAD_UNSAFE_NA_CHECK, "a `ka.*` or `jevt.*` field is compared with `<NA>`";
    W403, "unknown-filter-skipped", Warning, LOAD_UNKNOWN_FILTER, "a rule with `skip-if-unknown-filter` uses an unknown field and is skipped";
    W404, "value-looks-like-field", Warning, LOAD_COMPILE_CONDITION, "a string value looks like a field name";
    W405, "regex-could-be-simpler", Warning, LOAD_COMPILE_CONDITION, "a `regex` could be a plain string operator";
    W406, "list-literal-looks-like-reference", Warning, none, "a bare word in a list literal looks like a list that does not exist";

    // Outputs (E5xx).
    E501, "output-syntax", Error, LOAD_ERR_COMPILE_OUTPUT, "an output format string is malformed";
    E502, "unknown-output-field", Error, LOAD_ERR_COMPILE_OUTPUT, "an output names a field no schema defines";
    W501, "output-field-fallback", Warning, none, "an output `%token` is not a field, so Falco prints a shorter field and the rest as text";
    W502, "filter-only-output-field", Warning, none, "an output prints a field that only conditions can read, so it shows `<NA>`";

    // Suppression comments (W9xx): falco-rulec's own, Falco ignores comments.
    W901, "unused-suppression", Warning, none, "a `# falco-rulec: allow(...)` comment suppressed nothing";
    W902, "invalid-suppression", Warning, none, "a `# falco-rulec:` comment is malformed or names a code it cannot allow";
}

include!(concat!(env!("OUT_DIR"), "/code_docs.rs"));

impl Code {
    /// Looks a code up by its text (`E401`) or its name (`unknown-field`),
    /// case-insensitively.
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|code| {
            code.as_str().eq_ignore_ascii_case(text) || code.name().eq_ignore_ascii_case(text)
        })
    }

    /// The code's documentation (`docs/codes/<CODE>.md`), if written.
    pub fn doc(self) -> Option<&'static str> {
        CODE_DOCS
            .binary_search_by_key(&self.as_str(), |(code, _)| code)
            .ok()
            .map(|index| CODE_DOCS[index].1)
    }

    /// Where the code's documentation is published.
    pub fn url(self) -> String {
        format!(
            "https://github.com/falco-rulec/falco-rulec/blob/main/docs/codes/{}.md",
            self.as_str()
        )
    }
}
