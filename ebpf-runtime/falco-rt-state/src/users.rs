//! `user.*` and `group.*` from passwd and group files.

use std::collections::HashMap;
use std::path::Path;

/// One passwd entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// `user.name`.
    pub name: String,
    /// `user.uid`.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// `user.homedir`.
    pub home: String,
    /// `user.shell`.
    pub shell: String,
}

/// One group entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// `group.name`.
    pub name: String,
    /// `group.gid`.
    pub gid: u32,
}

/// Users and groups by id.
#[derive(Clone, Debug, Default)]
pub struct UserDb {
    users: HashMap<u32, User>,
    groups: HashMap<u32, Group>,
}

impl UserDb {
    /// Reads `<root>/etc/passwd` and `<root>/etc/group`; a missing file is an empty table.
    pub fn load(root: &Path) -> Self {
        let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_default();
        Self::parse(&read("etc/passwd"), &read("etc/group"))
    }

    /// Parses passwd and group text. Malformed lines are skipped; the first
    /// entry for an id wins, as with `getpwuid`.
    pub fn parse(passwd: &str, group: &str) -> Self {
        let mut db = Self::default();
        for f in lines(passwd) {
            let (Some(name), Some(uid), Some(gid)) = (f.first(), num(f.get(2)), num(f.get(3)))
            else {
                continue;
            };
            let field = |i: usize| f.get(i).copied().unwrap_or("").to_string();
            db.users.entry(uid).or_insert(User {
                name: (*name).to_string(),
                uid,
                gid,
                home: field(5),
                shell: field(6),
            });
        }
        for f in lines(group) {
            let (Some(name), Some(gid)) = (f.first(), num(f.get(2))) else {
                continue;
            };
            db.groups.entry(gid).or_insert(Group {
                name: (*name).to_string(),
                gid,
            });
        }
        db
    }

    /// The user with this uid.
    pub fn user(&self, uid: u32) -> Option<&User> {
        self.users.get(&uid)
    }

    /// The group with this gid.
    pub fn group(&self, gid: u32) -> Option<&Group> {
        self.groups.get(&gid)
    }

    /// Every user, in no particular order.
    pub fn all_users(&self) -> impl Iterator<Item = &User> {
        self.users.values()
    }

    /// Every group, in no particular order.
    pub fn all_groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    /// `user.name` as Falco shows it: the name, or the uid as text when unknown.
    pub fn user_name(&self, uid: u32) -> String {
        self.user(uid)
            .map_or_else(|| uid.to_string(), |u| u.name.clone())
    }

    /// `group.name`, or the gid as text when unknown.
    pub fn group_name(&self, gid: u32) -> String {
        self.group(gid)
            .map_or_else(|| gid.to_string(), |g| g.name.clone())
    }
}

fn lines(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split(':').collect())
}

fn num(s: Option<&&str>) -> Option<u32> {
    s.and_then(|s| s.parse().ok())
}
