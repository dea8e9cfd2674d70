//! Moving everything read from a file by a number of bytes: after an edit, the
//! items behind it are the same except that their spans moved by the edit's change
//! in length (and an item read from a slice of the file moves to the slice's
//! place).
//!
//! Every struct is taken apart field by field, so that a new field that holds a
//! span cannot be forgotten here without the build saying so.

use crate::{
    Amendment, BrokenItem, EngineVersionItem, Exception, ExceptionFields, ExceptionTupleElement,
    ExceptionValue, Item, Key, ListEntry, ListItem, MacroItem, Override, OverrideMode,
    PluginAlternative, PluginRequirement, PluginVersionsItem, Priority, RuleItem, Spanned, Version,
};
use falco_diagnostics::{Diagnostic, Label};
use falco_span::{FileSpan, MappedText};

/// Something that holds file offsets.
pub(crate) trait Shift {
    /// Moves every file offset in `self` by `delta` bytes.
    fn shift(&mut self, delta: i64);
}

impl Shift for FileSpan {
    fn shift(&mut self, delta: i64) {
        self.span = self.span.moved(delta);
    }
}

impl Shift for MappedText {
    fn shift(&mut self, delta: i64) {
        self.map.move_origins(delta);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, delta: i64) {
        if let Some(value) = self {
            value.shift(delta);
        }
    }
}

impl<T: Shift> Shift for [T] {
    fn shift(&mut self, delta: i64) {
        for value in self {
            value.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, delta: i64) {
        self.as_mut_slice().shift(delta);
    }
}

impl<T: Shift> Shift for Spanned<T> {
    fn shift(&mut self, delta: i64) {
        let Spanned { value, span } = self;
        value.shift(delta);
        span.shift(delta);
    }
}

/// Values without offsets.
macro_rules! no_offsets {
    ($($ty:ty),*) => {
        $(impl Shift for $ty {
            fn shift(&mut self, _delta: i64) {}
        })*
    };
}

no_offsets!(String, bool, u64, Version, Priority, OverrideMode);

impl Shift for Label {
    fn shift(&mut self, delta: i64) {
        let Label { span, message: _ } = self;
        span.shift(delta);
    }
}

impl Shift for Diagnostic {
    fn shift(&mut self, delta: i64) {
        let Diagnostic {
            code: _,
            severity: _,
            message: _,
            primary,
            related,
            help: _,
            notes: _,
            fixes,
        } = self;
        primary.shift(delta);
        related.shift(delta);
        for fix in fixes {
            for edit in &mut fix.edits {
                edit.span.shift(delta);
            }
        }
    }
}

impl Shift for BrokenItem {
    fn shift(&mut self, delta: i64) {
        let BrokenItem {
            kind: _,
            name,
            span,
        } = self;
        name.shift(delta);
        span.shift(delta);
    }
}

impl Shift for Item {
    fn shift(&mut self, delta: i64) {
        match self {
            Item::RequiredEngineVersion(item) => item.shift(delta),
            Item::RequiredPluginVersions(item) => item.shift(delta),
            Item::List(item) => item.shift(delta),
            Item::Macro(item) => item.shift(delta),
            Item::Rule(item) => item.shift(delta),
        }
    }
}

impl Shift for EngineVersionItem {
    fn shift(&mut self, delta: i64) {
        let EngineVersionItem {
            version,
            integer_form: _,
            span,
        } = self;
        version.shift(delta);
        span.shift(delta);
    }
}

impl Shift for PluginVersionsItem {
    fn shift(&mut self, delta: i64) {
        let PluginVersionsItem { plugins, span } = self;
        plugins.shift(delta);
        span.shift(delta);
    }
}

impl Shift for PluginRequirement {
    fn shift(&mut self, delta: i64) {
        let PluginRequirement {
            name,
            version,
            alternatives,
            span,
        } = self;
        name.shift(delta);
        version.shift(delta);
        alternatives.shift(delta);
        span.shift(delta);
    }
}

impl Shift for PluginAlternative {
    fn shift(&mut self, delta: i64) {
        let PluginAlternative { name, version } = self;
        name.shift(delta);
        version.shift(delta);
    }
}

impl Shift for Key {
    fn shift(&mut self, delta: i64) {
        let Key { name: _, span } = self;
        span.shift(delta);
    }
}

impl Shift for Override {
    fn shift(&mut self, delta: i64) {
        let Override { key, mode } = self;
        key.shift(delta);
        mode.shift(delta);
    }
}

impl Shift for Amendment {
    fn shift(&mut self, delta: i64) {
        let Amendment {
            append,
            overrides,
            override_span,
        } = self;
        append.shift(delta);
        overrides.shift(delta);
        override_span.shift(delta);
    }
}

impl Shift for ListEntry {
    fn shift(&mut self, delta: i64) {
        let ListEntry {
            value: _,
            span,
            quoted: _,
        } = self;
        span.shift(delta);
    }
}

impl Shift for ListItem {
    fn shift(&mut self, delta: i64) {
        let ListItem {
            name,
            items,
            amendment,
            keys,
            span,
        } = self;
        name.shift(delta);
        items.shift(delta);
        amendment.shift(delta);
        keys.shift(delta);
        span.shift(delta);
    }
}

impl Shift for MacroItem {
    fn shift(&mut self, delta: i64) {
        let MacroItem {
            name,
            condition,
            condition_span,
            amendment,
            keys,
            span,
        } = self;
        name.shift(delta);
        condition.shift(delta);
        condition_span.shift(delta);
        amendment.shift(delta);
        keys.shift(delta);
        span.shift(delta);
    }
}

impl Shift for Exception {
    fn shift(&mut self, delta: i64) {
        let Exception {
            name,
            fields,
            comps,
            values,
            span,
        } = self;
        name.shift(delta);
        fields.shift(delta);
        comps.shift(delta);
        values.shift(delta);
        span.shift(delta);
    }
}

impl Shift for ExceptionFields {
    fn shift(&mut self, delta: i64) {
        match self {
            ExceptionFields::Single(field) => field.shift(delta),
            ExceptionFields::List(fields) => fields.shift(delta),
        }
    }
}

impl Shift for ExceptionValue {
    fn shift(&mut self, delta: i64) {
        match self {
            ExceptionValue::Scalar(entry) => entry.shift(delta),
            ExceptionValue::Tuple(elements, span) => {
                elements.shift(delta);
                span.shift(delta);
            }
        }
    }
}

impl Shift for ExceptionTupleElement {
    fn shift(&mut self, delta: i64) {
        match self {
            ExceptionTupleElement::Scalar(entry) => entry.shift(delta),
            ExceptionTupleElement::List(entries, span) => {
                entries.shift(delta);
                span.shift(delta);
            }
        }
    }
}

impl Shift for RuleItem {
    fn shift(&mut self, delta: i64) {
        let RuleItem {
            name,
            condition,
            condition_span,
            output,
            output_span,
            desc,
            priority,
            source,
            enabled,
            tags,
            exceptions,
            capture,
            capture_duration,
            warn_evttypes,
            skip_if_unknown_filter,
            amendment,
            rejected_value: _,
            keys,
            span,
        } = self;
        name.shift(delta);
        condition.shift(delta);
        condition_span.shift(delta);
        output.shift(delta);
        output_span.shift(delta);
        desc.shift(delta);
        priority.shift(delta);
        source.shift(delta);
        enabled.shift(delta);
        tags.shift(delta);
        exceptions.shift(delta);
        capture.shift(delta);
        capture_duration.shift(delta);
        warn_evttypes.shift(delta);
        skip_if_unknown_filter.shift(delta);
        amendment.shift(delta);
        keys.shift(delta);
        span.shift(delta);
    }
}
