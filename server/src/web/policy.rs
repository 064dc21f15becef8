//! The security headers of every file the relay serves from the web bundle: the page holds
//! a private room's key (in its `#fragment`), so it is hardened like any page that holds
//! keys (docs/security.md).
//!
//! - `Content-Security-Policy`: scripts and WebAssembly from the page's own origin only, plus
//!   the inline scripts and styles the page itself carries, each allowed by its SHA-256 hash
//!   (computed here when the bundle is loaded, so any build of the page gets its own);
//!   connections only to its own origin (`'self'` covers `ws:`/`wss:` of the same host and
//!   port in CSP Level 3 browsers); no framing, no `<base>`, no plugins, no forms.
//! - `Referrer-Policy: no-referrer`: a link followed from the page says nothing about it.
//! - `X-Frame-Options: DENY`: `frame-ancestors 'none'` for browsers that predate it.
//!
//! Subresource integrity on the script and the `.wasm` is in the page itself (trunk's
//! preload links and the loader in `app/Trunk.toml`); this module only has to allow them.
//! It knows nothing of requests: [`Policy`] is computed once per file.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hyper::header::{self, HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};

/// Every directive but the hash lists. `'wasm-unsafe-eval'` lets the page compile its
/// `.wasm` (and nothing else: `eval` stays refused); `worker-src` is the service worker,
/// `manifest-src` the web-app manifest, `img-src` the icons, plus `data:` and `blob:`
/// images, which run no code and fetch nothing (the browser test decodes its screenshots
/// in the page that way).
const FIXED: &str = "default-src 'none'; connect-src 'self'; img-src 'self' data: blob:; \
     manifest-src 'self'; worker-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'none'; object-src 'none'";

/// The security headers of one file of the bundle.
#[derive(Clone, Debug)]
pub struct Policy {
    csp: HeaderValue,
}

impl Policy {
    /// The policy for a file named `name` holding `bytes`: an HTML page's inline `<script>`
    /// and `<style>` elements are allowed by hash; any other file gets the same policy
    /// without them (it matters for the service worker, a script with a policy of its own).
    pub fn for_file(name: &str, bytes: &[u8]) -> Self {
        let inline = if name.ends_with(".html") || name.ends_with(".htm") {
            Inline::scan(&String::from_utf8_lossy(bytes))
        } else {
            Inline::default()
        };
        let mut script = String::from("script-src 'self' 'wasm-unsafe-eval'");
        let mut style = String::from("style-src 'self'");
        for (list, hashes) in [(&mut script, &inline.scripts), (&mut style, &inline.styles)] {
            for hash in hashes {
                list.push_str(&format!(" 'sha256-{hash}'"));
            }
        }
        let value = format!("{FIXED}; {script}; {style}");
        // Base64, quotes, letters and punctuation only: always a valid header value.
        let csp =
            HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("default-src 'none'"));
        Self { csp }
    }

    /// Adds the headers to an answer.
    pub fn insert_into(&self, out: &mut HeaderMap) {
        out.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
        out.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        out.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
}

/// The SHA-256 hashes (base64) of a page's inline scripts and styles, as CSP computes
/// them: over the element's text exactly as written between its tags.
#[derive(Debug, Default, PartialEq)]
struct Inline {
    scripts: Vec<String>,
    styles: Vec<String>,
}

impl Inline {
    /// Finds the inline `<script>` (those without `src`) and `<style>` elements of `html`,
    /// skipping comments. Not a full HTML parser: enough for pages trunk writes, and a
    /// miss only makes the browser refuse that script (the browser test would fail).
    fn scan(html: &str) -> Self {
        let mut found = Self::default();
        let lower = html.to_ascii_lowercase();
        let mut at = 0;
        while let Some(offset) = lower[at..].find('<') {
            let start = at + offset;
            if lower[start..].starts_with("<!--") {
                at = lower[start..]
                    .find("-->")
                    .map_or(lower.len(), |end| start + end + 3);
                continue;
            }
            let Some((name, tag_end)) = element(&lower, start) else {
                at = start + 1;
                continue;
            };
            let close = format!("</{name}");
            let Some(body_len) = lower[tag_end..].find(&close) else {
                break;
            };
            let body = &html[tag_end..tag_end + body_len];
            if name == "style" {
                found.styles.push(sha256(body));
            } else if !has_attribute(&lower[start..tag_end], "src") {
                found.scripts.push(sha256(body));
            }
            at = tag_end + body_len + close.len();
        }
        found
    }
}

/// When a `<script` or `<style` start tag begins at `start` of the lower-cased page: the
/// element's name and where its text begins (just after the tag's `>`).
fn element(lower: &str, start: usize) -> Option<(&'static str, usize)> {
    let rest = &lower[start + 1..];
    let name = ["script", "style"].into_iter().find(|name| {
        rest.starts_with(name)
            && rest[name.len()..].starts_with(|c: char| c == '>' || c.is_ascii_whitespace())
    })?;
    let mut quote = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some((name, start + 1 + i + 1)),
            _ => {}
        }
    }
    None
}

/// Whether the start tag `tag` (lower-cased, `<script ... >`) has an attribute `name`
/// outside its quoted values.
fn has_attribute(tag: &str, name: &str) -> bool {
    let mut quote = None;
    let mut word = String::new();
    for c in tag.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_ascii_alphanumeric() || c == '-' => word.push(c),
            (None, _) => {
                if word == name {
                    return true;
                }
                word.clear();
            }
        }
    }
    false
}

/// SHA-256 of `text`, in standard base64 as CSP hash sources are written.
fn sha256(text: &str) -> String {
    BASE64.encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests;
