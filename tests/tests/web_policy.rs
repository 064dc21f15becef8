//! The page the relay serves holds a private room's key in its `#fragment`, so every file
//! of the bundle comes with a strict Content-Security-Policy (the page's own inline script
//! allowed by hash, nothing from elsewhere), `Referrer-Policy: no-referrer` and no framing;
//! and the relay's own plain answers keep working beside them.

use confab_server::Config;
use confab_tests::bundle::{INLINE_SCRIPT, INLINE_SCRIPT_HASH, TempBundle, WASM};
use confab_tests::http::{Answer, get, request};
use confab_tests::{TestRelay, test_config};

fn directives(answer: &Answer) -> Vec<String> {
    let csp = answer
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("no policy: {answer:?}"));
    csp.split(';').map(|d| d.trim().to_owned()).collect()
}

#[tokio::test]
async fn the_page_is_served_with_a_strict_policy_that_allows_its_inline_loader() {
    let bundle = TempBundle::new();
    let relay = TestRelay::start(Config {
        web_dir: Some(bundle.dir()),
        ..test_config()
    })
    .await;
    let page = get(relay.addr, "/").await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.text().contains(INLINE_SCRIPT));
    let csp = directives(&page);
    for wanted in [
        "default-src 'none'",
        &format!("script-src 'self' 'wasm-unsafe-eval' {INLINE_SCRIPT_HASH}"),
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.iter().any(|d| d == wanted), "{wanted} in {csp:?}");
    }
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));

    // A revalidation (304) and the compressed .wasm carry the same headers.
    let etag = page.header("etag").expect("an etag").to_owned();
    let again = request(relay.addr, "GET", "/", &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status, 304);
    assert_eq!(directives(&again), csp);
    let wasm = request(
        relay.addr,
        "GET",
        &format!("/{WASM}"),
        &[("Accept-Encoding", "br")],
    )
    .await;
    assert_eq!(wasm.header("content-encoding"), Some("br"));
    assert_eq!(wasm.header("referrer-policy"), Some("no-referrer"));
    let wasm_csp = directives(&wasm);
    assert!(
        wasm_csp.contains(&"script-src 'self' 'wasm-unsafe-eval'".to_owned()),
        "a file that is not a page allows no inline code: {wasm_csp:?}"
    );
}
