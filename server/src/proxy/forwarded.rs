//! The client named by a trusted proxy in the request head: RFC 7239 `Forwarded`
//! (`for=192.0.2.60`, `for="[2001:db8::1]:4711"`) or the older `X-Forwarded-For`.
//!
//! Each proxy on the way appends the address it got the request from, so the list reads
//! client first, nearest proxy last; anything before the first trusted hop may have been
//! typed by the client. The client is therefore the rightmost address that is not itself a
//! trusted proxy, and a forged entry the client put in front of it is never read.

use std::net::IpAddr;

use forwarded_header_value::ForwardedHeaderValue;

use super::TrustedProxies;

/// The client address a trusted proxy's request head names, or `None` when it names none
/// that can be read (then the proxy's own address stands). `headers` are the request's
/// header lines; `Forwarded` is preferred to `X-Forwarded-For` when both are present.
pub fn forwarded_client(
    headers: &[httparse::Header<'_>],
    trusted: &TrustedProxies,
) -> Option<IpAddr> {
    let forwarded = joined(headers, "forwarded")
        .and_then(|value| ForwardedHeaderValue::from_forwarded(&value).ok());
    let value = match forwarded {
        Some(value) => value,
        None => {
            ForwardedHeaderValue::from_x_forwarded_for(&joined(headers, "x-forwarded-for")?).ok()?
        }
    };
    let hops: Vec<Option<IpAddr>> = value
        .iter()
        .map(|stanza| stanza.forwarded_for_ip())
        .collect();
    for hop in hops.into_iter().rev() {
        // An entry the relay cannot read (`unknown`, an obfuscated name) ends the walk: what
        // lies beyond it was not vouched for by a proxy the relay trusts.
        let ip = hop?.to_canonical();
        if !trusted.trusts(ip) {
            return Some(ip);
        }
    }
    None
}

/// Every header called `name`, joined with commas as HTTP allows (several lines of one
/// list header are one list); `None` if there is none, or one is not text.
fn joined(headers: &[httparse::Header<'_>], name: &str) -> Option<String> {
    let values: Option<Vec<&str>> = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| std::str::from_utf8(h.value).ok())
        .collect();
    let values = values?;
    (!values.is_empty()).then(|| values.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::parse_net;

    fn trusted(nets: &[&str]) -> TrustedProxies {
        let nets: Vec<_> = nets.iter().map(|n| parse_net(n).unwrap()).collect();
        TrustedProxies::new(&nets)
    }

    fn client(lines: &[(&'static str, &'static str)], nets: &[&str]) -> Option<IpAddr> {
        let headers: Vec<httparse::Header<'_>> = lines
            .iter()
            .map(|&(name, value)| httparse::Header {
                name,
                value: value.as_bytes(),
            })
            .collect();
        forwarded_client(&headers, &trusted(nets))
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn x_forwarded_for_names_the_rightmost_untrusted_hop() {
        let lines = [("X-Forwarded-For", "198.51.100.1, 203.0.113.7, 10.0.0.2")];
        assert_eq!(client(&lines, &["10.0.0.0/8"]), ip("203.0.113.7"));
        // The client typed the first entry itself: it is never believed.
        assert_eq!(
            client(&lines, &["10.0.0.0/8", "203.0.113.7"]),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn forwarded_is_read_with_quotes_ports_and_brackets_and_preferred() {
        let lines = [
            ("X-Forwarded-For", "198.51.100.99"),
            (
                "Forwarded",
                "for=192.0.2.60;proto=https, for=\"[2001:db8::17]:4711\"",
            ),
        ];
        assert_eq!(client(&lines, &["10.0.0.0/8"]), ip("2001:db8::17"));
        let v4 = [("Forwarded", "for=\"192.0.2.60:8080\"")];
        assert_eq!(client(&v4, &[]), ip("192.0.2.60"));
    }

    #[test]
    fn several_header_lines_are_one_list() {
        let lines = [
            ("X-Forwarded-For", "203.0.113.7"),
            ("x-forwarded-for", "10.0.0.3"),
        ];
        assert_eq!(client(&lines, &["10.0.0.0/8"]), ip("203.0.113.7"));
    }

    #[test]
    fn nothing_readable_names_no_client() {
        assert_eq!(client(&[], &[]), None);
        assert_eq!(client(&[("X-Forwarded-For", "not an address")], &[]), None);
        // `unknown` between the trusted hop and the client: the walk stops there.
        let lines = [("Forwarded", "for=203.0.113.7, for=unknown, for=10.0.0.2")];
        assert_eq!(client(&lines, &["10.0.0.0/8"]), None);
        // Every hop trusted: there is no client in the list.
        assert_eq!(
            client(&[("X-Forwarded-For", "10.0.0.1")], &["10.0.0.0/8"]),
            None
        );
    }
}
