//! Trusted proxies (`--trusted-proxy`): which peers may tell the relay who its client
//! really is. A trusted peer may open its connection with a PROXY protocol header (v1 or
//! v2, [`read_header`]) or name the client in the request's `Forwarded` or
//! `X-Forwarded-For` header ([`forwarded_client`]). Any other peer's say is ignored: its
//! own address is the client's.
//!
//! Every per-address rule (connections per address, failed joins, removal bans) and the
//! logs then see the person, not the load balancer in front of everyone.

mod forwarded;
mod header;

use std::net::IpAddr;

use ipnet::IpNet;

pub use forwarded::forwarded_client;
pub use header::{ProxyHeaderError, read_header};

/// The networks whose peers are proxies the relay believes (empty: none, the default).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

impl TrustedProxies {
    /// Trusts peers in any of `nets`.
    pub fn new(nets: &[IpNet]) -> Self {
        Self {
            nets: nets.iter().map(IpNet::trunc).collect(),
        }
    }

    /// Whether `ip` is a trusted proxy. An IPv4 address seen as IPv6 (`::ffff:10.0.0.1`,
    /// from a dual-stack listener) is matched as the IPv4 address it is.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets.iter().any(|net| net.contains(&ip))
    }
}

/// Parses one `--trusted-proxy` value: a network (`10.0.0.0/8`, `fd00::/8`) or a single
/// address (`192.0.2.10`, the same as `/32`).
pub fn parse_net(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("not an address or a network (CIDR): {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_or_a_single_address_is_trusted_and_nothing_else() {
        let nets: Vec<IpNet> = ["10.0.0.0/8", "192.0.2.10", "fd00::/8"]
            .iter()
            .map(|t| parse_net(t).unwrap())
            .collect();
        let trusted = TrustedProxies::new(&nets);
        for ip in ["10.1.2.3", "192.0.2.10", "fd00::1", "::ffff:10.0.0.1"] {
            assert!(trusted.trusts(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["11.0.0.1", "192.0.2.11", "2001:db8::1", "127.0.0.1"] {
            assert!(!trusted.trusts(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn host_bits_in_a_network_are_ignored_and_nonsense_is_refused() {
        let trusted = TrustedProxies::new(&[parse_net("10.9.9.9/8").unwrap()]);
        assert!(trusted.trusts("10.0.0.1".parse().unwrap()));
        assert!(parse_net("10.0.0.0/33").is_err());
        assert!(parse_net("proxy.example").is_err());
        assert!(TrustedProxies::default().nets.is_empty());
    }
}
