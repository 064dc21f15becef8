//! Reading the relay's `/metrics` page over real HTTP: for tests that count, and for tests
//! that wait for something only the metrics show (a room expiring).

use std::collections::HashMap;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::within;

/// Sends one HTTP/1.1 request and returns the status line and the whole response.
pub async fn http(addr: SocketAddr, request_line: &str) -> (String, String) {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let request = format!("{request_line}\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut response = String::new();
        stream.read_to_string(&mut response).await.expect("read");
        response
    };
    let response = within("an HTTP answer", exchange).await;
    let status = response.lines().next().unwrap_or_default().to_owned();
    (status, response)
}

/// Every `confab_*` sample on the page, by name.
pub async fn scrape(addr: SocketAddr) -> HashMap<String, i64> {
    let (status, response) = http(addr, "GET /metrics HTTP/1.1").await;
    assert_eq!(status, "HTTP/1.1 200 OK", "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("content-type: text/plain; version=0.0.4"),
        "{response}"
    );
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    body.lines()
        .filter(|line| line.starts_with("confab_"))
        .filter_map(|line| {
            let (name, value) = line.split_once(' ')?;
            Some((name.to_owned(), value.trim().parse().ok()?))
        })
        .collect()
}
