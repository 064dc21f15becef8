//! Build script. With the `embed-web` feature it lists the web bundle's files (default
//! `../app/dist`, or `CONFAB_EMBED_WEB_DIR`) for `include_bytes!` in
//! `src/web/embedded.rs`; without it, it does nothing, so the relay builds without trunk.

// Cargo reads a build script's instructions from its standard output.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=CONFAB_EMBED_WEB_DIR");
    if std::env::var_os("CARGO_FEATURE_EMBED_WEB").is_none() {
        return;
    }
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = std::env::var_os("CONFAB_EMBED_WEB_DIR")
        .map_or_else(|| manifest.join("../app/dist"), PathBuf::from);
    let dir = dir.canonicalize().unwrap_or_else(|err| {
        panic!(
            "embed-web: no web bundle at {} ({err}): build it first (scripts/web-build.sh) \
             or point CONFAB_EMBED_WEB_DIR at one",
            dir.display()
        )
    });
    // For a directory, cargo rebuilds when anything inside it changes.
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    collect(&dir, "", &mut files);
    assert!(
        files.iter().any(|(key, _)| key == "index.html"),
        "embed-web: {} has no index.html",
        dir.display()
    );
    let mut out = String::from(
        "/// Every file of the embedded bundle: its path in the bundle and its bytes.\n",
    );
    out.push_str("static FILES: &[(&str, &[u8])] = &[\n");
    for (key, path) in files {
        out.push_str(&format!(
            "    ({key:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(out_dir.join("embedded_web.rs"), out).expect("writing OUT_DIR");
}

/// Regular files under `dir`, not hidden, symlinks not followed (as `Bundle::load` would
/// serve them).
fn collect(dir: &Path, prefix: &str, files: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("a readable bundle")
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let key = format!("{prefix}{name}");
        if kind.is_dir() {
            collect(&entry.path(), &format!("{key}/"), files);
        } else if kind.is_file() {
            files.push((key, entry.path()));
        }
    }
}
