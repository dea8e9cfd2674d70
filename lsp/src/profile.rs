//! A replay profile in rule hovers: the JSON file `falco-rulec replay --profile-json`
//! writes (`docs/profile.md`), named by the `profileFile` setting and read again
//! whenever its size or modification time changes.

use std::io::Read;
use std::path::PathBuf;
use std::time::SystemTime;

use serde::Deserialize;

/// The profile shape this server reads.
const VERSION: u32 = 1;

/// A profile file larger than this is refused (a rule takes about 150 bytes).
pub const MAX_PROFILE_BYTES: u64 = 16 << 20;

/// One rule's figures.
#[derive(Clone, Debug, Deserialize)]
pub struct RuleFigures {
    /// The rule's name.
    pub rule: String,
    /// Events it was evaluated on.
    pub evaluations: u64,
    /// Events it matched.
    pub matches: u64,
    /// Nanoseconds spent evaluating it.
    pub time_ns: u64,
    /// Nanoseconds per evaluation.
    pub ns_per_evaluation: u64,
}

/// A profile as the file holds it.
#[derive(Clone, Debug, Deserialize)]
pub struct Profile {
    version: u32,
    /// Events replayed.
    pub events: u64,
    /// `first` or `all`.
    pub rule_matching: String,
    /// Nanoseconds spent in all rules.
    pub time_ns: u64,
    /// The rules, most expensive first.
    pub rules: Vec<RuleFigures>,
}

impl Profile {
    /// A rule's figures and its rank by cost (1: the most expensive).
    pub fn rule(&self, name: &str) -> Option<(usize, &RuleFigures)> {
        self.rules
            .iter()
            .enumerate()
            .find(|(_, figures)| figures.rule == name)
            .map(|(index, figures)| (index + 1, figures))
    }
}

/// The profile file of the `profileFile` setting, and what was read from it.
#[derive(Debug, Default)]
pub struct ProfileFile {
    path: Option<PathBuf>,
    /// Size and modification time of the file when it was last read.
    stamp: Option<(u64, SystemTime)>,
    profile: Option<Profile>,
}

impl ProfileFile {
    /// Uses the file at `path` (or none), read at the next [`ProfileFile::refresh`].
    pub fn set_path(&mut self, path: Option<PathBuf>) {
        *self = ProfileFile {
            path,
            ..ProfileFile::default()
        };
    }

    /// The file in use.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }

    /// The profile read last, if it could be read.
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }

    /// Reads the file again if it changed since it was last read (one `stat`
    /// otherwise). Returns why it cannot be used, if it cannot: the profile is then
    /// dropped.
    pub fn refresh(&mut self) -> Option<String> {
        let path = self.path.clone()?;
        let stamp = std::fs::metadata(&path)
            .and_then(|meta| Ok((meta.len(), meta.modified()?)))
            .ok();
        if stamp.is_some() && stamp == self.stamp {
            return None;
        }
        self.stamp = stamp;
        self.profile = None;
        let read = read(&path).map_err(|error| format!("profile `{}`: {error}", path.display()));
        match read {
            Ok(profile) => {
                self.profile = Some(profile);
                None
            }
            Err(problem) => Some(problem),
        }
    }
}

/// Reads and checks a profile file.
fn read(path: &std::path::Path) -> Result<Profile, String> {
    let file = std::fs::File::open(path).map_err(|error| error.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_PROFILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| error.to_string())?;
    if bytes.len() as u64 > MAX_PROFILE_BYTES {
        return Err(format!(
            "larger than {} MiB, not read",
            MAX_PROFILE_BYTES >> 20
        ));
    }
    let profile: Profile =
        serde_json::from_slice(&bytes).map_err(|error| format!("not a profile: {error}"))?;
    if profile.version != VERSION {
        return Err(format!(
            "version {} (this server reads version {VERSION}; write it again with this falco-rulec)",
            profile.version
        ));
    }
    Ok(profile)
}
