use super::*;

/// The example of the CSP specification and MDN: `alert('Hello, world.');`.
const HELLO: &str = "qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng=";

fn csp(name: &str, page: &str) -> String {
    let mut headers = HeaderMap::new();
    Policy::for_file(name, page.as_bytes()).insert_into(&mut headers);
    headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii")
        .to_owned()
}

#[test]
fn inline_scripts_are_hashed_as_written_and_loaded_ones_are_not() {
    let page = "<!DOCTYPE html><head>\
        <script type=\"module\" src=\"/confab-1.js\"></script>\
        <SCRIPT>alert('Hello, world.');</SCRIPT>\
        <script src='a.js' data-x=\">\"></script>\
        </head>";
    let found = Inline::scan(page);
    assert_eq!(found.scripts, vec![HELLO.to_owned()]);
    assert!(found.styles.is_empty());
}

#[test]
fn comments_and_look_alike_tags_are_not_elements() {
    let page = "<!-- <script>alert('no')</script> --><scripts>x</scripts>\
        <script data-src=\"x\">alert('Hello, world.');</script>\
        <style media=\"all\">body { margin: 0 }</style>";
    let found = Inline::scan(page);
    assert_eq!(found.scripts, vec![HELLO.to_owned()]);
    assert_eq!(found.styles, vec![sha256("body { margin: 0 }")]);
}

#[test]
fn the_page_policy_allows_its_own_inline_code_and_nothing_from_elsewhere() {
    let page = csp("index.html", "<script>alert('Hello, world.');</script>");
    for directive in [
        "default-src 'none'",
        &format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{HELLO}'"),
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        "form-action 'none'",
    ] {
        assert!(
            page.split("; ").any(|d| d == directive),
            "{directive} in {page}"
        );
    }
    assert!(!page.contains("unsafe-inline") && !page.contains("'unsafe-eval'"));
    // The same text in a script file is not a page: no hashes.
    let worker = csp("sw.js", "<script>alert('Hello, world.');</script>");
    assert!(
        worker.contains("script-src 'self' 'wasm-unsafe-eval';"),
        "{worker}"
    );
}

#[test]
fn every_answer_gets_the_referrer_and_framing_headers() {
    let mut headers = HeaderMap::new();
    Policy::for_file("assets/icon.svg", b"<svg/>").insert_into(&mut headers);
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
}
