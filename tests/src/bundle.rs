//! [`TempBundle`]: a small web bundle in a fresh temporary directory, shaped like trunk's
//! output (hashed `.js`/`.wasm` with `.gz`/`.br` siblings, `index.html`, `assets/`), plus a
//! secret file *outside* it and symlinks, for the relay's `--web-dir` tests.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The hashed script name in every [`TempBundle`].
pub const SCRIPT: &str = "confab-0123456789abcdef.js";
/// The hashed WebAssembly name in every [`TempBundle`].
pub const WASM: &str = "confab-0123456789abcdef_bg.wasm";
/// The inline script of every [`TempBundle`]'s page (the example of the CSP specification).
pub const INLINE_SCRIPT: &str = "alert('Hello, world.');";
/// Its CSP hash source: SHA-256, base64.
pub const INLINE_SCRIPT_HASH: &str = "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='";
/// The page: a loaded script, like trunk's loader, and an inline one.
const PAGE: &str = "<!DOCTYPE html><title>Confab</title>\
    <script type=\"module\" src=\"/confab-0123456789abcdef.js\"></script>\
    <script>alert('Hello, world.');</script>";
/// What the secret file outside the bundle holds; no answer may ever contain it.
pub const SECRET: &str = "top secret, outside the bundle";

/// A bundle directory `root/dist` (with `root/secret.txt` beside it), removed on drop.
pub struct TempBundle {
    root: PathBuf,
}

impl TempBundle {
    /// Writes the bundle.
    pub fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let root = std::env::temp_dir().join(format!(
            "confab-bundle-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let dist = root.join("dist");
        std::fs::create_dir_all(dist.join("assets")).expect("a temp dir");
        let write = |path: &Path, contents: &[u8]| std::fs::write(path, contents).expect("write");
        write(&root.join("secret.txt"), SECRET.as_bytes());
        write(&dist.join("index.html"), PAGE.as_bytes());
        write(&dist.join(SCRIPT), b"export default function init() {}");
        write(
            &dist.join(format!("{SCRIPT}.gz")),
            b"gzip bytes of the script",
        );
        write(&dist.join(WASM), b"\0asm wasm bytes");
        write(&dist.join(format!("{WASM}.gz")), b"gzip bytes of the wasm");
        write(
            &dist.join(format!("{WASM}.br")),
            b"brotli bytes of the wasm",
        );
        write(&dist.join("assets/icon.svg"), b"<svg/>");
        write(&dist.join("assets/manifest.json"), b"{}");
        write(&dist.join(".hidden"), SECRET.as_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(root.join("secret.txt"), dist.join("escape.txt")).expect("symlink");
            symlink(&root, dist.join("up")).expect("symlink");
            symlink(dist.join("assets/icon.svg"), dist.join("logo.svg")).expect("symlink");
        }
        Self { root }
    }

    /// The directory to pass as `web_dir`.
    pub fn dir(&self) -> PathBuf {
        self.root.join("dist")
    }

    /// A file next to the bundle (not in it), for TLS keys and the like.
    pub fn beside(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

impl Default for TempBundle {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempBundle {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
