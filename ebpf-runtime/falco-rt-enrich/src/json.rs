//! A small JSON object writer for event lines.

use falco_events::json::write_json_string;

/// Writes `"key":value` members into a string, handling the commas.
pub(crate) struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    pub(crate) fn open(out: &'a mut String) -> Self {
        out.push('{');
        Obj { out, first: true }
    }

    fn key(&mut self, k: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write_json_string(k, self.out);
        self.out.push(':');
    }

    pub(crate) fn str(&mut self, k: &str, v: &str) {
        self.key(k);
        write_json_string(v, self.out);
    }

    pub(crate) fn int(&mut self, k: &str, v: impl std::fmt::Display) {
        self.key(k);
        self.out.push_str(&v.to_string());
    }

    pub(crate) fn bool(&mut self, k: &str, v: bool) {
        self.key(k);
        self.out.push_str(if v { "true" } else { "false" });
    }

    /// A value whose raw number and text differ: `{"raw": N, "text": "..."}`.
    pub(crate) fn raw_text(&mut self, k: &str, raw: impl std::fmt::Display, text: &str) {
        self.key(k);
        self.out.push_str("{\"raw\":");
        self.out.push_str(&raw.to_string());
        self.out.push_str(",\"text\":");
        write_json_string(text, self.out);
        self.out.push('}');
    }

    pub(crate) fn strs<'s>(&mut self, k: &str, items: impl IntoIterator<Item = &'s str>) {
        self.key(k);
        self.out.push('[');
        for (i, s) in items.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            write_json_string(s, self.out);
        }
        self.out.push(']');
    }

    /// A nested object under `k`.
    pub(crate) fn obj(&mut self, k: &str) -> Obj<'_> {
        self.key(k);
        Obj::open(self.out)
    }

    /// A nested array of objects under `k`; `f` writes each element.
    pub(crate) fn array<T>(&mut self, k: &str, items: &[T], mut f: impl FnMut(&mut Obj<'_>, &T)) {
        self.key(k);
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            let mut o = Obj::open(self.out);
            f(&mut o, item);
            o.close();
        }
        self.out.push(']');
    }

    pub(crate) fn close(self) {
        self.out.push('}');
    }
}
