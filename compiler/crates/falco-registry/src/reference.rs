//! Artifact references: `[oci://]HOST[:PORT]/REPOSITORY[:TAG|@sha256:HEX]`.

use std::fmt;

use crate::{Digest, Error};

/// What a reference points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A tag, resolved anew at each look-up.
    Tag(String),
    /// A digest, pinned.
    Digest(Digest),
}

/// A parsed reference. The registry is always explicit (there is no default registry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `HOST[:PORT]`.
    pub registry: String,
    /// The repository path, e.g. `rules/default`.
    pub repository: String,
    /// Tag or digest.
    pub target: Target,
}

const FORM: &str = "expected [oci://]HOST[:PORT]/REPOSITORY[:TAG|@sha256:HEX]";

impl Reference {
    /// Parses a reference; without a tag or digest the tag is `latest`.
    pub fn parse(text: &str) -> Result<Reference, Error> {
        let bad = |why: &str| Error::Reference(format!("reference `{text}`: {why} ({FORM})"));
        let rest = text.strip_prefix("oci://").unwrap_or(text);
        let (registry, path) = rest.split_once('/').ok_or_else(|| bad("no repository"))?;
        if registry.is_empty()
            || !(registry.contains('.') || registry.contains(':') || registry == "localhost")
        {
            return Err(bad("the registry host must come first"));
        }
        if !registry
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        {
            return Err(bad("the registry host has characters a host cannot have"));
        }
        let (name, target) = if let Some((name, digest)) = path.split_once('@') {
            (
                name,
                Target::Digest(Digest::parse(digest).map_err(|e| bad(&e.to_string()))?),
            )
        } else {
            match path.rsplit_once(':') {
                Some((name, tag)) if !tag.contains('/') => {
                    if !valid_tag(tag) {
                        return Err(bad(&format!(
                            "tag `{tag}` must be 1-128 letters, digits, `_`, `.` or `-`, not starting with `.` or `-`"
                        )));
                    }
                    (name, Target::Tag(tag.to_string()))
                }
                _ => (path, Target::Tag("latest".to_string())),
            }
        };
        if !valid_repository(name) {
            return Err(bad(&format!(
                "repository `{name}` must be lowercase path components of letters and digits separated by `.`, `_`, `__` or `-`"
            )));
        }
        Ok(Reference {
            registry: registry.to_string(),
            repository: name.to_string(),
            target,
        })
    }

    /// The same repository at `target`.
    pub fn with_target(&self, target: Target) -> Reference {
        Reference {
            target,
            ..self.clone()
        }
    }

    /// The tag or digest as it appears in a manifest URL.
    pub fn target_text(&self) -> &str {
        match &self.target {
            Target::Tag(t) => t,
            Target::Digest(d) => d.as_str(),
        }
    }

    /// The tag, if the reference has one.
    pub fn tag(&self) -> Option<&str> {
        match &self.target {
            Target::Tag(t) => Some(t),
            Target::Digest(_) => None,
        }
    }

    /// `HOST/REPOSITORY`, without tag or digest.
    pub fn repository_path(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Target::Tag(t) => write!(f, "{}/{}:{t}", self.registry, self.repository),
            Target::Digest(d) => write!(f, "{}/{}@{d}", self.registry, self.repository),
        }
    }
}

fn valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"_.-".contains(c))
}

/// The distribution spec's repository grammar: components of `[a-z0-9]+` joined by
/// `.`, `_`, `__` or runs of `-`, separated by `/`.
fn valid_repository(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name.split('/').all(|component| {
            let b = component.as_bytes();
            let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
            if b.is_empty() || !alnum(&b[0]) || !alnum(&b[b.len() - 1]) {
                return false;
            }
            let mut i = 0;
            while i < b.len() {
                if alnum(&b[i]) {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < b.len() && !alnum(&b[i]) {
                    i += 1;
                }
                let sep = &component[start..i];
                if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-')) {
                    return false;
                }
            }
            true
        })
}
