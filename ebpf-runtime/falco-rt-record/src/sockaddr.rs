//! Parsing of `struct sockaddr` bytes as the kernel lays them out on x86_64.

use core::net::{Ipv4Addr, Ipv6Addr};

/// A socket address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockAddr<'a> {
    /// `AF_INET`.
    V4 {
        /// Address.
        addr: Ipv4Addr,
        /// Port, host order.
        port: u16,
    },
    /// `AF_INET6`.
    V6 {
        /// Address.
        addr: Ipv6Addr,
        /// Port, host order.
        port: u16,
    },
    /// `AF_UNIX`: the path bytes; abstract names start with a NUL.
    Unix(&'a [u8]),
    /// Any other family, or an `AF_UNSPEC` address.
    Other(u16),
}

impl<'a> SockAddr<'a> {
    /// Parses the bytes of a `struct sockaddr_*`; `None` if too short for its family.
    pub fn parse(b: &'a [u8]) -> Option<Self> {
        let family = u16::from_le_bytes([*b.first()?, *b.get(1)?]);
        let port = || b.get(2..4).map(|p| u16::from_be_bytes([p[0], p[1]]));
        match family {
            2 => {
                let a = b.get(4..8)?;
                Some(Self::V4 {
                    addr: Ipv4Addr::new(a[0], a[1], a[2], a[3]),
                    port: port()?,
                })
            }
            10 => {
                let a: [u8; 16] = b.get(8..24)?.try_into().ok()?;
                Some(Self::V6 {
                    addr: Ipv6Addr::from(a),
                    port: port()?,
                })
            }
            1 => {
                let path = b.get(2..)?;
                // A pathname address ends at its NUL; an abstract one (leading NUL) uses the length.
                let path = match path.first() {
                    Some(0) => path,
                    _ => {
                        let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
                        path.get(..end)?
                    }
                };
                Some(Self::Unix(path))
            }
            f => Some(Self::Other(f)),
        }
    }
}
