//! Socket inodes to connections, from `/proc/PID/net/{tcp,tcp6,udp,udp6,unix}`,
//! so descriptors seeded from `/proc/PID/fd` (`socket:[INODE]`) get addresses.

use std::collections::HashMap;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use crate::fd::{FdKind, Role};

/// TCP state number of a listening socket in `/proc/net/tcp`.
const TCP_LISTEN: u8 = 0x0A;

/// Sockets of one network namespace by inode.
#[derive(Clone, Debug, Default)]
pub struct SocketTable {
    by_inode: HashMap<u64, (FdKind, String)>,
}

impl SocketTable {
    /// Reads the tables below `net_dir` (normally `/proc/PID/net`); missing files are skipped.
    pub fn read(net_dir: &Path) -> Self {
        let mut t = Self::default();
        let text = |f: &str| fs::read_to_string(net_dir.join(f)).unwrap_or_default();
        t.add_inet(&text("tcp"), 2, 6, 1);
        t.add_inet(&text("tcp6"), 10, 6, 1);
        t.add_inet(&text("udp"), 2, 17, 2);
        t.add_inet(&text("udp6"), 10, 17, 2);
        t.add_unix(&text("unix"));
        t
    }

    /// The kind and (unix) path of the socket with this inode.
    pub fn get(&self, inode: u64) -> Option<&(FdKind, String)> {
        self.by_inode.get(&inode)
    }

    /// Number of sockets known.
    pub fn len(&self) -> usize {
        self.by_inode.len()
    }

    /// No sockets known.
    pub fn is_empty(&self) -> bool {
        self.by_inode.is_empty()
    }

    /// Adds the lines of a `tcp`/`udp`(`6`) table.
    pub fn add_inet(&mut self, text: &str, family: u16, protocol: u16, sock_type: u16) {
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(remote), Some(st), Some(inode)) = (
                f.get(1).and_then(|a| endpoint(a)),
                f.get(2).and_then(|a| endpoint(a)),
                f.get(3).and_then(|s| u8::from_str_radix(s, 16).ok()),
                f.get(9).and_then(|i| i.parse::<u64>().ok()),
            ) else {
                continue;
            };
            if inode == 0 {
                continue;
            }
            let listening = st == TCP_LISTEN && protocol == 6;
            let unconnected = remote.1 == 0 && remote.0.is_unspecified();
            let kind = FdKind::Inet {
                protocol,
                sock_type,
                family,
                local: Some(local),
                remote: (!unconnected).then_some(remote),
                role: if listening {
                    Role::Server
                } else {
                    Role::Unknown
                },
            };
            self.by_inode.insert(inode, (kind, String::new()));
        }
    }

    /// Adds the lines of a `unix` table.
    pub fn add_unix(&mut self, text: &str) {
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let Some(inode) = f.get(6).and_then(|i| i.parse::<u64>().ok()) else {
                continue;
            };
            let path = f.get(7).map(|p| p.replace('@', "\0")).unwrap_or_default();
            self.by_inode.insert(inode, (FdKind::Unix, path));
        }
    }
}

/// Parses `0100007F:1F90` (IPv4) or a 32-digit IPv6 address with a port; the
/// address is in the kernel's in-memory order, one little-endian 32-bit word at a time.
fn endpoint(s: &str) -> Option<(IpAddr, u16)> {
    let (addr, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let words = (0..addr.len() / 8)
        .map(|i| {
            addr.get(i * 8..i * 8 + 8)
                .and_then(|w| u32::from_str_radix(w, 16).ok())
        })
        .collect::<Option<Vec<u32>>>()?;
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let ip = match bytes.len() {
        4 => IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3])),
        16 => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(bytes.as_slice()).ok()?)),
        _ => return None,
    };
    Some((ip, port))
}

/// The inode of a `socket:[INODE]` link target.
pub fn socket_inode(target: &str) -> Option<u64> {
    target
        .strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}
