//! TLS on the main port (`tls_cert`, `tls_key`): the page over `https://`, the relay over
//! `wss://` (with `welcome.page_url` saying https), with a certificate made by the test;
//! a plain-text client gets nothing, and the failed handshake is counted.

use std::sync::Arc;

use confab_server::Config;
use confab_tests::bundle::TempBundle;
use confab_tests::http::request_over;
use confab_tests::{QUIET, TestRelay, eventually, test_config, within};
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite::Message;

/// A relay serving `bundle` over TLS with a fresh self-signed certificate for `localhost`,
/// and a connector that trusts exactly that certificate.
async fn tls_relay(bundle: &TempBundle) -> (TestRelay, TlsConnector) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .expect("a test certificate");
    let cert = bundle.beside("cert.pem");
    let key = bundle.beside("key.pem");
    std::fs::write(&cert, made.cert.pem()).expect("write cert");
    std::fs::write(&key, made.signing_key.serialize_pem()).expect("write key");
    let relay = TestRelay::start(Config {
        web_dir: Some(bundle.dir()),
        tls_cert: Some(cert),
        tls_key: Some(key),
        ..test_config()
    })
    .await;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(made.cert.der().to_vec()))
        .expect("a root");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    (relay, TlsConnector::from(Arc::new(config)))
}

async fn connect(relay: &TestRelay, tls: &TlsConnector) -> TlsStream<TcpStream> {
    let tcp = within("a TCP connect", TcpStream::connect(relay.addr))
        .await
        .expect("the relay accepts TCP");
    let name = ServerName::try_from("localhost").expect("a server name");
    within("the TLS handshake", tls.connect(name, tcp))
        .await
        .expect("the relay's certificate is the test's")
}

#[tokio::test]
async fn the_page_and_healthz_are_served_over_https() {
    let bundle = TempBundle::new();
    let (relay, tls) = tls_relay(&bundle).await;
    let host = format!("localhost:{}", relay.addr.port());
    let page = request_over(connect(&relay, &tls).await, &host, "GET", "/", &[]).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.text().contains("<title>Confab</title>"));
    let health = request_over(connect(&relay, &tls).await, &host, "GET", "/healthz", &[]).await;
    assert_eq!(health.status, 200);
}

#[tokio::test]
async fn wss_works_and_the_welcome_names_the_https_page() {
    let bundle = TempBundle::new();
    let (relay, tls) = tls_relay(&bundle).await;
    let url = format!("wss://localhost:{}/", relay.addr.port());
    let stream = connect(&relay, &tls).await;
    let (mut ws, response) = within(
        "the WebSocket handshake over TLS",
        Box::pin(tokio_tungstenite::client_async(url.as_str(), stream)),
    )
    .await
    .expect("a wss:// connection");
    assert_eq!(response.status(), 101);
    ws.send(Message::text(r#"{"type":"create","name":"ann"}"#))
        .await
        .expect("send");
    let frame = within("the welcome", ws.next())
        .await
        .expect("a frame")
        .expect("no error");
    let welcome: serde_json::Value =
        serde_json::from_str(frame.to_text().expect("text")).expect("JSON");
    assert_eq!(welcome["type"], "welcome");
    assert_eq!(
        welcome["page_url"],
        format!("https://localhost:{}/", relay.addr.port())
    );
}

#[tokio::test]
async fn plain_http_to_a_tls_port_gets_nothing_and_is_counted() {
    let bundle = TempBundle::new();
    let (relay, tls) = tls_relay(&bundle).await;
    let plain = within("a plain request", async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut tcp = TcpStream::connect(relay.addr).await.expect("connect");
        tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let mut answer = Vec::new();
        let _ = tcp.read_to_end(&mut answer).await;
        answer
    })
    .await;
    assert!(!plain.starts_with(b"HTTP"), "{plain:?}");
    let host = format!("localhost:{}", relay.addr.port());
    eventually("the failed TLS handshake in the metrics", QUIET, || async {
        let metrics =
            request_over(connect(&relay, &tls).await, &host, "GET", "/metrics", &[]).await;
        metrics
            .text()
            .contains("confab_handshakes_refused_total{reason=\"tls\"} 1")
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_key_without_a_certificate_stops_the_relay_from_starting() {
    let bundle = TempBundle::new();
    std::fs::write(bundle.beside("cert.pem"), "not a certificate").expect("write");
    std::fs::write(bundle.beside("key.pem"), "not a key").expect("write");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let config = Config {
        tls_cert: Some(bundle.beside("cert.pem")),
        tls_key: Some(bundle.beside("key.pem")),
        ..test_config()
    };
    let err = within(
        "run() to refuse",
        confab_server::run(listener, config, std::future::pending()),
    )
    .await
    .expect_err("no certificate, no relay");
    assert!(err.to_string().contains("cert.pem"), "{err}");
}
