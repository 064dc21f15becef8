//! [`Bundle`]: the web client's files, held in memory, and the answer to a request for one.
//!
//! The whole bundle is read once, at start (from `--web-dir`, or from the binary with the
//! `embed-web` feature): a request can only ever get a file that was found inside the
//! directory then, so `..`, `%2e%2e`, absolute paths and symlinks out of the directory
//! have nothing to reach, and nothing touches the disk per request. Rebuilding the bundle
//! needs a relay restart. This module knows nothing of WebSockets or rooms.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Response, StatusCode};

use super::policy::Policy;

/// Largest bundle read from a directory, in bytes (every variant counted): the web client
/// is about 10 MB with its `.gz` and `.br` siblings. A bigger directory is refused at start,
/// since it is probably not a bundle and would all be held in memory.
pub const MAX_BUNDLE_BYTES: u64 = 256 * 1024 * 1024;

/// Directory levels searched below the bundle's root; deeper files are not served.
const MAX_DEPTH: usize = 8;

/// `Cache-Control` of a file whose name carries a content hash (trunk's
/// `confab-70754529646511c1_bg.wasm`): a new build has new names, so keep it for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `Cache-Control` of every other file (`index.html`, icons, the manifest): the browser
/// may keep it but asks each time whether it changed (the `ETag` makes that a 304).
const REVALIDATE: &str = "no-cache";

/// The web client's files, by path relative to the bundle's root (`index.html`,
/// `assets/icon.svg`).
#[derive(Default)]
pub struct Bundle {
    files: HashMap<String, File>,
}

/// The file names only: the contents are megabytes.
impl std::fmt::Debug for Bundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.files.keys()).finish()
    }
}

/// One servable file and its pre-compressed siblings.
struct File {
    content_type: &'static str,
    cache_control: &'static str,
    /// Its security headers (a page's allow its own inline code by hash).
    policy: Policy,
    identity: Variant,
    gzip: Option<Variant>,
    brotli: Option<Variant>,
}

/// One encoding of a file.
struct Variant {
    bytes: Bytes,
    etag: HeaderValue,
}

impl Bundle {
    /// Reads every regular file under `dir` (hidden files, and symlinks leading out of
    /// `dir`, are left out).
    pub fn load(dir: &Path) -> io::Result<Self> {
        let root = dir.canonicalize()?;
        let mut found = Vec::new();
        let mut total = 0;
        walk(&root, &root, "", 0, &mut found, &mut total)?;
        Ok(Self::from_files(found))
    }

    /// A bundle of `(path, contents)` pairs; `x.gz` and `x.br` next to `x` become its
    /// compressed variants (a lone `x.gz` is a file of its own).
    pub fn from_files(files: impl IntoIterator<Item = (String, Bytes)>) -> Self {
        let mut all: HashMap<String, Bytes> = files.into_iter().collect();
        let siblings = |all: &mut HashMap<String, Bytes>, name: &str, ext: &str| {
            let key = format!("{name}.{ext}");
            all.contains_key(name).then(|| all.remove(&key)).flatten()
        };
        let names: Vec<String> = all.keys().cloned().collect();
        let mut gz = HashMap::new();
        let mut br = HashMap::new();
        for name in &names {
            if let Some(bytes) = siblings(&mut all, name, "gz") {
                gz.insert(name.clone(), bytes);
            }
            if let Some(bytes) = siblings(&mut all, name, "br") {
                br.insert(name.clone(), bytes);
            }
        }
        let files = all
            .into_iter()
            .map(|(name, bytes)| {
                let tag = content_hash(&bytes);
                let variant = |bytes, suffix| Variant {
                    bytes,
                    etag: etag(tag, suffix),
                };
                let file = File {
                    content_type: content_type(&name),
                    cache_control: cache_control(&name),
                    policy: Policy::for_file(&name, &bytes),
                    identity: variant(bytes, ""),
                    gzip: gz.remove(&name).map(|b| variant(b, "-gz")),
                    brotli: br.remove(&name).map(|b| variant(b, "-br")),
                };
                (name, file)
            })
            .collect();
        Self { files }
    }

    /// How many files there are (compressed siblings not counted).
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// Whether the bundle has a page at `/`.
    pub fn has_index(&self) -> bool {
        self.files.contains_key("index.html")
    }

    /// The answer to `GET` (or `HEAD`; hyper leaves the body out) of `path`: the file in
    /// the best encoding `headers` accept, a 304 when the client's copy is current, or 404.
    pub fn answer(&self, path: &str, headers: &HeaderMap) -> Response<Full<Bytes>> {
        let Some(file) = key_of(path).and_then(|key| self.files.get(&key)) else {
            return super::text(StatusCode::NOT_FOUND, "not found\n");
        };
        let variant = match (&file.brotli, &file.gzip) {
            (Some(br), _) if accepts(headers, "br") => Some((br, "br")),
            (_, Some(gz)) if accepts(headers, "gzip") => Some((gz, "gzip")),
            _ => None,
        };
        let (chosen, encoding) = variant.map_or((&file.identity, None), |(v, e)| (v, Some(e)));
        let fresh = headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|tag| tag.trim() == "*" || tag.trim().as_bytes() == chosen.etag.as_bytes());
        let mut response = if fresh {
            let mut response = Response::new(Full::default());
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            response
        } else {
            Response::new(Full::new(chosen.bytes.clone()))
        };
        let out = response.headers_mut();
        out.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(file.content_type),
        );
        out.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(file.cache_control),
        );
        out.insert(header::ETAG, chosen.etag.clone());
        out.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        file.policy.insert_into(out);
        if let Some(encoding) = encoding {
            out.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        if file.gzip.is_some() || file.brotli.is_some() {
            out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        response
    }
}

/// Collects the files under `dir` (at `prefix` within the bundle) into `found`.
fn walk(
    root: &Path,
    dir: &Path,
    prefix: &str,
    depth: usize,
    found: &mut Vec<(String, Bytes)>,
    total: &mut u64,
) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type()?;
        let key = format!("{prefix}{name}");
        if kind.is_dir() {
            if depth < MAX_DEPTH {
                walk(root, &path, &format!("{key}/"), depth + 1, found, total)?;
            }
            continue;
        }
        let Some(target) = regular_file_inside(root, &path, kind.is_symlink()) else {
            tracing::warn!(path = %path.display(), "not serving it: not a file inside the bundle");
            continue;
        };
        *total += std::fs::metadata(&target)?.len();
        if *total > MAX_BUNDLE_BYTES {
            return Err(io::Error::other(format!(
                "{} holds more than {MAX_BUNDLE_BYTES} bytes: is it a web bundle?",
                root.display()
            )));
        }
        found.push((key, Bytes::from(std::fs::read(&target)?)));
    }
    Ok(())
}

/// Where `path` leads, if it is a regular file inside `root`: a symlink only when its
/// target is a file inside `root` too (symlinked directories are not followed).
fn regular_file_inside(root: &Path, path: &Path, symlink: bool) -> Option<PathBuf> {
    let target = if symlink {
        path.canonicalize().ok()?
    } else {
        path.to_path_buf()
    };
    let is_file = std::fs::metadata(&target).ok()?.is_file();
    (is_file && target.starts_with(root)).then_some(target)
}

/// The bundle key a request path names: percent-decoded, `/` and `.../` mean their
/// `index.html`; `None` for anything that is not a plain relative path (`..`, `.`, empty
/// segments, backslashes, NUL, hidden names, invalid UTF-8), which is then a 404.
fn key_of(path: &str) -> Option<String> {
    let decoded = percent_decode(path)?;
    let relative = decoded.strip_prefix('/')?;
    let mut key = relative.to_owned();
    if key.is_empty() || key.ends_with('/') {
        key.push_str("index.html");
    }
    let plain = key.split('/').all(|segment| {
        !segment.is_empty() && !segment.starts_with('.') && !segment.contains(['\\', '\0'])
    });
    plain.then_some(key)
}

/// Decodes `%XX` escapes; `None` for a broken escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Whether `headers` accept content `coding` (`Accept-Encoding`, RFC 9110 section 12.5.3:
/// a q-value of 0 refuses; an explicit entry overrides `*`).
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    let mut named = None;
    let mut any = None;
    for item in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(1.0, |q| q.trim().parse::<f32>().unwrap_or(0.0));
        if name.eq_ignore_ascii_case(coding) {
            named = Some(q);
        } else if name == "*" {
            any = Some(q);
        }
    }
    named.or(any).is_some_and(|q| q > 0.0)
}

/// The `Content-Type` for a file name, by extension.
fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map_or("", |(_, ext)| ext);
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        // Required for WebAssembly.instantiateStreaming.
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// [`IMMUTABLE`] for names with a content hash (a `-`, then 12 to 16 hex digits up to a
/// `.` or `_`, as trunk names its output: a 64-bit hash in hex without leading zeros),
/// [`REVALIDATE`] for the rest, `index.html` included.
fn cache_control(name: &str) -> &'static str {
    let file_name = name.rsplit('/').next().unwrap_or(name);
    let hashed = file_name.split('-').skip(1).any(|part| {
        let digits = part.split(['.', '_']).next().unwrap_or("");
        (12..=16).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_hexdigit())
    });
    if hashed && !file_name.ends_with(".html") {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// A stable-for-this-build hash of a file's contents, for its `ETag`.
fn content_hash(bytes: &[u8]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

fn etag(hash: u64, suffix: &str) -> HeaderValue {
    // Hex digits, a dash and letters: always a valid header value.
    HeaderValue::from_str(&format!("\"{hash:016x}{suffix}\""))
        .unwrap_or(HeaderValue::from_static("\"\""))
}

#[cfg(test)]
mod tests;
