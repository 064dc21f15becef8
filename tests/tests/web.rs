//! The relay's main port as a web server (`web_dir`): the page and its files with the right
//! types, caching and pre-compressed variants, HEAD, 404s, no listings, no way out of the
//! directory; a WebSocket on the same port; `/healthz` and `/metrics`.

use confab_server::Config;
use confab_tests::bundle::{SCRIPT, SECRET, TempBundle, WASM};
use confab_tests::http::{Answer, get, request};
use confab_tests::{TestClient, TestRelay, test_config};

async fn serving(bundle: &TempBundle) -> TestRelay {
    TestRelay::start(Config {
        web_dir: Some(bundle.dir()),
        ..test_config()
    })
    .await
}

fn assert_no_secret(answer: &Answer, what: &str) {
    assert!(!answer.text().contains(SECRET), "{what} leaked: {answer:?}");
}

#[tokio::test]
async fn the_page_and_the_relay_share_one_port() {
    let bundle = TempBundle::new();
    let relay = serving(&bundle).await;
    let page = get(relay.addr, "/").await;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    assert!(page.text().contains("<title>Confab</title>"));
    assert_eq!(get(relay.addr, "/index.html").await.body, page.body);

    // Any path upgrades, as without a page.
    let mut client = TestClient::connect(&format!("ws://{}/chat", relay.addr)).await;
    assert_eq!(client.create("ann").await.you.as_str(), "ann");
}

#[tokio::test]
async fn files_have_their_content_types_and_hashed_ones_are_immutable() {
    let bundle = TempBundle::new();
    let relay = serving(&bundle).await;
    for (path, content_type, cache) in [
        (format!("/{WASM}"), "application/wasm", "immutable"),
        (
            format!("/{SCRIPT}"),
            "text/javascript; charset=utf-8",
            "immutable",
        ),
        ("/assets/icon.svg".into(), "image/svg+xml", "no-cache"),
        (
            "/assets/manifest.json".into(),
            "application/json",
            "no-cache",
        ),
    ] {
        let answer = get(relay.addr, &path).await;
        assert_eq!(answer.status, 200, "{path}: {answer:?}");
        assert_eq!(answer.header("content-type"), Some(content_type), "{path}");
        let cache_control = answer.header("cache-control").unwrap_or_default();
        assert!(cache_control.contains(cache), "{path}: {cache_control}");
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
    }
    let wasm = get(relay.addr, &format!("/{WASM}")).await;
    assert_eq!(
        wasm.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
}

#[tokio::test]
async fn precompressed_siblings_are_served_to_clients_that_accept_them() {
    let bundle = TempBundle::new();
    let relay = serving(&bundle).await;
    let wasm = format!("/{WASM}");
    let fetch = |accept: &'static str| {
        let wasm = wasm.clone();
        async move { request(relay.addr, "GET", &wasm, &[("Accept-Encoding", accept)]).await }
    };

    let br = fetch("gzip, deflate, br").await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(br.text(), "brotli bytes of the wasm");
    assert_eq!(br.header("content-type"), Some("application/wasm"));
    assert_eq!(br.header("vary"), Some("accept-encoding"));

    let gz = fetch("gzip").await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(gz.text(), "gzip bytes of the wasm");

    let refused = fetch("br;q=0, gzip;q=0").await;
    assert_eq!(refused.header("content-encoding"), None);
    assert_eq!(refused.text(), "\0asm wasm bytes");
    assert_eq!(refused.header("vary"), Some("accept-encoding"));

    let plain = get(relay.addr, &wasm).await;
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.text(), "\0asm wasm bytes");

    // No sibling, no encoding and no Vary: the page itself.
    let page = request(relay.addr, "GET", "/", &[("Accept-Encoding", "gzip, br")]).await;
    assert_eq!(page.header("content-encoding"), None);
    assert_eq!(page.header("vary"), None);
    // A sibling is a variant, not a file of its own.
    assert_eq!(get(relay.addr, &format!("/{WASM}.gz")).await.status, 404);
}

#[tokio::test]
async fn head_gets_the_headers_without_the_body() {
    let bundle = TempBundle::new();
    let relay = serving(&bundle).await;
    let head = request(relay.addr, "HEAD", &format!("/{SCRIPT}"), &[]).await;
    assert_eq!(head.status, 200, "{head:?}");
    assert_eq!(
        head.header("content-length"),
        Some(
            "export default function init() {}"
                .len()
                .to_string()
                .as_str()
        )
    );
    assert_eq!(
        head.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(head.body.is_empty(), "{head:?}");
}

#[tokio::test]
async fn a_known_etag_gets_304() {
    let bundle = TempBundle::new();
    let relay = serving(&bundle).await;
    let first = get(relay.addr, "/").await;
    let etag = first.header("etag").expect("an ETag").to_owned();
    let again = request(relay.addr, "GET", "/", &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status, 304, "{again:?}");
    assert!(again.body.is_empty());
    let stale = request(relay.addr, "GET", "/", &[("If-None-Match", "\"old\"")]).await;
    assert_eq!(stale.status, 200);
}

#[tokio::test]
async fn unknown_paths_and_directories_are_404_without_a_listing() {
    let bundle = TempBundle::new();
    let relay = serving(&bundle).await;
    for path in [
        "/nope.js",
        "/assets",
        "/assets/",
        "/.hidden",
        "/up/secret.txt",
    ] {
        let answer = get(relay.addr, path).await;
        assert_eq!(answer.status, 404, "{path}: {answer:?}");
        assert!(!answer.text().contains("icon.svg"), "{path} listed files");
        assert_no_secret(&answer, path);
    }
}

#[tokio::test]
async fn no_request_reaches_outside_the_bundle() {
    let bundle = TempBundle::new();
    let relay = serving(&bundle).await;
    let absolute = bundle.beside("secret.txt").display().to_string();
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/assets/../../secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "//secret.txt",
        absolute.as_str(),
        &format!("/{absolute}"),
        "/escape.txt",
    ] {
        let answer = get(relay.addr, path).await;
        assert!(
            answer.status == 404 || answer.status == 400,
            "{path}: {answer:?}"
        );
        assert_no_secret(&answer, path);
    }
    // A symlink to a file inside the bundle is just that file.
    let logo = get(relay.addr, "/logo.svg").await;
    assert_eq!(logo.status, 200);
    assert_eq!(logo.text(), "<svg/>");
}

#[tokio::test]
async fn other_methods_get_405() {
    let bundle = TempBundle::new();
    let relay = serving(&bundle).await;
    let answer = request(relay.addr, "DELETE", "/index.html", &[]).await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, HEAD"));
}

#[tokio::test]
async fn healthz_is_200_while_accepting_and_503_while_draining() {
    let mut relay = TestRelay::start_default().await;
    let healthy = get(relay.addr, "/healthz").await;
    assert_eq!((healthy.status, healthy.text().as_str()), (200, "ok\n"));
    assert_eq!(healthy.header("cache-control"), Some("no-store"));

    // A member that reads its 1001 but never closes keeps the relay draining (it lingers
    // for the close handshake) while the checks below run.
    let mut stays = confab_tests::raw::RawClient::upgraded(relay.addr).await;
    relay.begin_shutdown();
    let close = stays.read_close().await.expect("a close frame");
    assert_eq!(close.close_code(), Some(1001));

    let draining = get(relay.addr, "/healthz").await;
    assert_eq!(
        (draining.status, draining.text().as_str()),
        (503, "draining\n")
    );
    let late = confab_tests::raw::RawClient::tcp(relay.addr).await;
    let mut late = late;
    late.write(
        b"GET / HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .await;
    let head = late.read_http_head().await;
    assert!(head.starts_with("HTTP/1.1 503"), "{head}");

    drop(stays);
    relay.stopped().await.expect("run() returns after draining");
}

#[tokio::test]
async fn metrics_are_on_the_main_port_unless_they_have_their_own() {
    let here = TestRelay::start_default().await;
    let metrics = get(here.addr, "/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.text().contains("confab_connections_open"));

    let apart = TestRelay::start_with_metrics(test_config()).await;
    assert_eq!(get(apart.addr, "/metrics").await.status, 426);
    let bundle = TempBundle::new();
    let page_and_apart = TestRelay::start_with_metrics(Config {
        web_dir: Some(bundle.dir()),
        ..test_config()
    })
    .await;
    assert_eq!(get(page_and_apart.addr, "/metrics").await.status, 404);
}

#[tokio::test]
async fn a_relay_without_a_page_tells_browsers_to_upgrade() {
    let relay = TestRelay::start_default().await;
    let answer = get(relay.addr, "/").await;
    assert_eq!(answer.status, 426);
    assert!(answer.text().contains("WebSocket relay"));
}

#[tokio::test]
async fn a_missing_web_dir_stops_the_relay_from_starting() {
    let bundle = TempBundle::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let config = Config {
        web_dir: Some(bundle.beside("no-such-dir")),
        ..test_config()
    };
    let result = confab_tests::within(
        "run() to refuse",
        confab_server::run(listener, config, std::future::pending()),
    )
    .await;
    let err = result.expect_err("no bundle, no relay");
    assert!(err.to_string().contains("no-such-dir"), "{err}");
}

#[tokio::test]
async fn the_welcome_names_the_page_when_the_relay_serves_one() {
    let bundle = TempBundle::new();
    let relay = serving(&bundle).await;
    let (_, welcome) = relay.creator("ann").await;
    assert_eq!(welcome.page_url, Some(relay.page_url()));

    let bare = TestRelay::start_default().await;
    let (_, welcome) = bare.creator("ann").await;
    assert_eq!(welcome.page_url, None);

    let proxied = TestRelay::start(Config {
        web_dir: Some(bundle.dir()),
        public_url: Some("https://chat.example/".into()),
        ..test_config()
    })
    .await;
    let (_, welcome) = proxied.creator("ann").await;
    assert_eq!(welcome.page_url.as_deref(), Some("https://chat.example/"));
}

#[tokio::test]
async fn only_a_connections_first_request_can_become_a_websocket() {
    use tokio::io::AsyncReadExt;
    let bundle = TempBundle::new();
    let relay = serving(&bundle).await;
    let mut raw = confab_tests::raw::RawClient::tcp(relay.addr).await;
    raw.write(
        b"GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n\
          GET / HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .await;
    let mut both = Vec::new();
    let _ = confab_tests::within("both answers", raw.tcp.read_to_end(&mut both)).await;
    let both = String::from_utf8_lossy(&both);
    assert!(both.starts_with("HTTP/1.1 200 OK"), "{both}");
    assert!(both.contains("HTTP/1.1 400 Bad Request"), "{both}");
    assert!(both.contains("open a new connection"), "{both}");

    // Another kind of upgrade is not a WebSocket: the request is served as it is.
    let h2c = request(relay.addr, "GET", "/", &[("Upgrade", "h2c")]).await;
    assert_eq!(h2c.status, 200, "{h2c:?}");
}
