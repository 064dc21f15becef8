//! The PROXY protocol header (HAProxy's, versions 1 and 2) a trusted proxy sends before
//! anything else, naming the client it accepted. Parsing is `ppp`'s; this module finds the
//! header's end on the socket without reading a byte past it, so TLS or HTTP start exactly
//! where it stops.
//!
//! The header is optional for a trusted peer: a connection that does not begin with one of
//! the two signatures is left as it is.

use std::net::IpAddr;
use std::time::Duration;

use ppp::{HeaderResult, PartialResult, v1, v2};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// Longest header accepted: v1's 107 bytes, or v2's 16-byte prefix with addresses and
/// type-length values (a proxy's TLS details and unique id fit with room to spare).
const MAX_HEADER_BYTES: usize = 1024;

/// How long to wait for more of a header that came in parts. Proxies send it in one
/// write; the caller's handshake timeout bounds the total.
const PARTIAL_WAIT: Duration = Duration::from_millis(5);

/// How a version 1 header begins.
const V1_SIGNATURE: &[u8] = b"PROXY ";

/// How a version 2 header begins.
const V2_SIGNATURE: &[u8] = b"\r\n\r\n\0\r\nQUIT\n";

/// Why a trusted peer's connection was closed before TLS or HTTP.
#[derive(Debug, thiserror::Error)]
pub enum ProxyHeaderError {
    /// It began like a PROXY header but was not a valid one.
    #[error("invalid PROXY protocol header")]
    Invalid,
    /// The header was longer than [`MAX_HEADER_BYTES`].
    #[error("PROXY protocol header longer than {MAX_HEADER_BYTES} bytes")]
    TooLong,
    /// The peer went away or the socket failed.
    #[error("socket: {0}")]
    Io(#[from] std::io::Error),
}

/// What the first bytes of a connection are.
#[derive(Debug, PartialEq)]
enum Start {
    /// Not a PROXY header: TLS or HTTP.
    Other,
    /// A PROXY header, not all here yet.
    Partial,
    /// A whole header.
    Header(ProxyHeader),
}

/// A PROXY header read from a connection.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct ProxyHeader {
    /// Its length in bytes.
    pub len: usize,
    /// The client it names; `None` for a proxy's own health check (`LOCAL`, `UNKNOWN`):
    /// the connection is then the proxy's.
    pub client: Option<IpAddr>,
}

/// Reads a PROXY header from the start of `tcp` if there is one, consuming exactly its
/// bytes. `Ok(None)`: the connection does not start with one, and nothing was consumed.
pub async fn read_header(tcp: &mut TcpStream) -> Result<Option<ProxyHeader>, ProxyHeaderError> {
    let mut seen = vec![0u8; MAX_HEADER_BYTES];
    loop {
        let n = tcp.peek(&mut seen).await?;
        if n == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
        }
        match classify(&seen[..n])? {
            Start::Other => return Ok(None),
            Start::Partial if n == seen.len() => return Err(ProxyHeaderError::TooLong),
            Start::Partial => tokio::time::sleep(PARTIAL_WAIT).await,
            Start::Header(header) => {
                tcp.read_exact(&mut seen[..header.len]).await?;
                return Ok(Some(header));
            }
        }
    }
}

/// Classifies the first bytes of a connection.
fn classify(seen: &[u8]) -> Result<Start, ProxyHeaderError> {
    let begins = |signature: &[u8]| {
        let n = seen.len().min(signature.len());
        seen[..n] == signature[..n]
    };
    if !begins(V1_SIGNATURE) && !begins(V2_SIGNATURE) {
        return Ok(Start::Other);
    }
    if seen.len() < V2_SIGNATURE.len() && begins(V2_SIGNATURE) {
        return Ok(Start::Partial);
    }
    let header = HeaderResult::parse(seen);
    if header.is_incomplete() {
        return Ok(Start::Partial);
    }
    match header {
        HeaderResult::V1(Ok(header)) => Ok(Start::Header(ProxyHeader {
            len: header.header.len(),
            client: match header.addresses {
                v1::Addresses::Tcp4(ip) => Some(ip.source_address.into()),
                v1::Addresses::Tcp6(ip) => Some(ip.source_address.into()),
                v1::Addresses::Unknown => None,
            },
        })),
        HeaderResult::V2(Ok(header)) => Ok(Start::Header(ProxyHeader {
            len: header.len(),
            client: match (header.command, header.addresses) {
                (v2::Command::Proxy, v2::Addresses::IPv4(ip)) => Some(ip.source_address.into()),
                (v2::Command::Proxy, v2::Addresses::IPv6(ip)) => Some(ip.source_address.into()),
                _ => None,
            },
        })),
        HeaderResult::V1(Err(_)) | HeaderResult::V2(Err(_)) => Err(ProxyHeaderError::Invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2(command: u8, family: u8, addresses: &[u8]) -> Vec<u8> {
        let mut header = V2_SIGNATURE.to_vec();
        header.push(0x20 | command);
        header.push(family);
        header.extend_from_slice(&u16::try_from(addresses.len()).unwrap().to_be_bytes());
        header.extend_from_slice(addresses);
        header
    }

    fn header(len: usize, client: Option<&str>) -> Start {
        Start::Header(ProxyHeader {
            len,
            client: client.map(|ip| ip.parse().unwrap()),
        })
    }

    #[test]
    fn version_1_names_the_client_and_ends_at_its_line() {
        let line = b"PROXY TCP4 203.0.113.7 10.0.0.1 51000 443\r\n";
        let mut bytes = line.to_vec();
        bytes.extend_from_slice(b"GET / HTTP/1.1\r\n");
        assert_eq!(
            classify(&bytes).unwrap(),
            header(line.len(), Some("203.0.113.7"))
        );
        let six = b"PROXY TCP6 2001:db8::7 2001:db8::1 51000 443\r\n";
        assert_eq!(
            classify(six).unwrap(),
            header(six.len(), Some("2001:db8::7"))
        );
        let unknown = b"PROXY UNKNOWN\r\n";
        assert_eq!(classify(unknown).unwrap(), header(unknown.len(), None));
    }

    #[test]
    fn version_2_names_the_client_and_a_health_check_names_none() {
        let mut addresses = vec![203, 0, 113, 7, 10, 0, 0, 1];
        addresses.extend_from_slice(&51000u16.to_be_bytes());
        addresses.extend_from_slice(&443u16.to_be_bytes());
        let proxied = v2(0x1, 0x11, &addresses);
        let mut bytes = proxied.clone();
        bytes.extend_from_slice(&[0x16, 0x03, 0x01]); // a TLS ClientHello follows
        assert_eq!(
            classify(&bytes).unwrap(),
            header(proxied.len(), Some("203.0.113.7"))
        );
        let local = v2(0x0, 0x00, &[]);
        assert_eq!(classify(&local).unwrap(), header(local.len(), None));
    }

    #[test]
    fn a_header_in_parts_waits_and_anything_else_passes() {
        assert_eq!(classify(b"PRO").unwrap(), Start::Partial);
        assert_eq!(classify(b"PROXY TCP4 203.0.113.7").unwrap(), Start::Partial);
        assert_eq!(classify(b"\r\n\r\n").unwrap(), Start::Partial);
        assert_eq!(
            classify(&v2(0x1, 0x11, &[0; 12])[..20]).unwrap(),
            Start::Partial
        );
        assert_eq!(classify(b"GET / HTTP/1.1\r\n").unwrap(), Start::Other);
        assert_eq!(classify(b"POST /x HTTP/1.1\r\n").unwrap(), Start::Other);
        assert_eq!(classify(&[0x16, 0x03, 0x01, 0x00]).unwrap(), Start::Other);
    }

    #[test]
    fn a_header_longer_than_the_bound_never_completes_within_it() {
        // A version 2 header announcing more than fits in MAX_HEADER_BYTES: what the
        // buffer can hold is still a header in parts, which `read_header` refuses as
        // `TooLong` once the buffer is full, instead of reading on.
        let mut long = v2(0x1, 0x11, &[0; 12]);
        long[14..16].copy_from_slice(&2000u16.to_be_bytes());
        long.resize(MAX_HEADER_BYTES, 0);
        assert_eq!(classify(&long).unwrap(), Start::Partial);
        // Version 1 has its own bound (107 bytes) and says so as an invalid header.
        let mut v1 = b"PROXY TCP4 203.0.113.7 10.0.0.1 51000 443".to_vec();
        v1.resize(200, b' ');
        assert!(matches!(classify(&v1), Err(ProxyHeaderError::Invalid)));
    }

    #[test]
    fn a_broken_header_is_refused() {
        assert!(matches!(
            classify(b"PROXY TCP4 not-an-address 10.0.0.1 1 2\r\n"),
            Err(ProxyHeaderError::Invalid)
        ));
        assert!(matches!(
            classify(&v2(0x7, 0x11, &[0; 12])),
            Err(ProxyHeaderError::Invalid)
        ));
    }
}
