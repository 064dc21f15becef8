//! The web bundle built into the binary (feature `embed-web`): `build.rs` lists the files
//! of `app/dist` (or `CONFAB_EMBED_WEB_DIR`) at build time, and they are served like a
//! `--web-dir` bundle, straight from the binary's memory.

use hyper::body::Bytes;

use super::Bundle;

include!(concat!(env!("OUT_DIR"), "/embedded_web.rs"));

/// The embedded files as a bundle.
pub fn bundle() -> Bundle {
    Bundle::from_files(
        FILES
            .iter()
            .map(|&(key, bytes)| (key.to_owned(), Bytes::from_static(bytes))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_bundle_has_the_page_and_its_wasm() {
        let bundle = bundle();
        assert!(bundle.has_index());
        assert!(FILES.iter().any(|(key, _)| key.ends_with(".wasm")));
        let page = bundle.answer("/", &hyper::HeaderMap::new());
        assert_eq!(page.status(), hyper::StatusCode::OK);
    }
}
