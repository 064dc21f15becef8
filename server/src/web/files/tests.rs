use super::*;

#[test]
fn request_paths_map_to_plain_keys_only() {
    assert_eq!(key_of("/").as_deref(), Some("index.html"));
    assert_eq!(key_of("/assets/").as_deref(), Some("assets/index.html"));
    assert_eq!(
        key_of("/assets/icon%20x.svg").as_deref(),
        Some("assets/icon x.svg")
    );
    for bad in [
        "/../etc/passwd",
        "/%2e%2e/etc/passwd",
        "/assets/%2E%2E/%2e%2e/x",
        "//etc/passwd",
        "/a/./b",
        "/a%5c..%5cb",
        "/a%00",
        "/.git/config",
        "/%ff",
        "/%zz",
        "etc/passwd",
    ] {
        assert_eq!(key_of(bad), None, "{bad}");
    }
}

#[test]
fn accept_encoding_honours_q_values_and_the_wildcard() {
    let with = |value: &'static str| {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
        headers
    };
    assert!(accepts(&with("gzip, deflate, br"), "br"));
    assert!(accepts(&with("gzip;q=0.5"), "gzip"));
    assert!(!accepts(&with("gzip;q=0"), "gzip"));
    assert!(!accepts(&with("gzip"), "br"));
    assert!(accepts(&with("*"), "br"));
    assert!(!accepts(&with("*, br;q=0"), "br"));
    assert!(!accepts(&HeaderMap::new(), "gzip"));
}

#[test]
fn hashed_names_are_immutable_and_the_rest_revalidate() {
    assert_eq!(cache_control("confab-70754529646511c1_bg.wasm"), IMMUTABLE);
    assert_eq!(cache_control("confab-70754529646511c1.js"), IMMUTABLE);
    assert_eq!(cache_control("icon-2c22d4a3c0d2bd6.svg"), IMMUTABLE);
    assert_eq!(cache_control("web-client.js"), REVALIDATE);
    assert_eq!(cache_control("index.html"), REVALIDATE);
    assert_eq!(cache_control("assets/icon-192.png"), REVALIDATE);
    assert_eq!(cache_control("assets/manifest.json"), REVALIDATE);
}

#[test]
fn compressed_siblings_join_their_file() {
    let bundle = Bundle::from_files([
        ("a.js".to_owned(), Bytes::from_static(b"plain")),
        ("a.js.gz".to_owned(), Bytes::from_static(b"gz")),
        ("lone.gz".to_owned(), Bytes::from_static(b"x")),
    ]);
    assert_eq!(bundle.file_count(), 2);
    assert!(bundle.files["a.js"].gzip.is_some());
    assert!(bundle.files.contains_key("lone.gz"));
}
