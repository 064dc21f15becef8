#!/usr/bin/env bash
# Installs what the web client's build and browser test need, skipping whatever is already
# there at the right version (a warm machine takes seconds; a cold one ~20 min, mostly
# `cargo install trunk`). Only package registries are used: crates.io, Debian, npm.
#
#   scripts/web-setup.sh        # then scripts/web-build.sh, scripts/web-test.sh
#
# Versions: trunk 0.21.14 (0.22 needs a newer rustc),
# wasm-bindgen-cli equal to the wasm-bindgen crate in Cargo.lock (pinned in app/Cargo.toml),
# Chromium from Debian, playwright-core from npm (it
# downloads no browser; web-test/package.json pins it).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;q}' Cargo.lock)
WASM_BINDGEN_VERSION=${WASM_BINDGEN_VERSION:-0.2.130}

step() { printf '\n== %s\n' "$*"; }

step "Rust target wasm32-unknown-unknown"
rustup target add wasm32-unknown-unknown

# No wasm-opt: index.html turns it off (Debian's 108 breaks the module; see there).
# brotli: scripts/web-build.sh writes .br siblings the relay serves (gzip is always there).
# fonts-noto-color-emoji: the browser test checks emoji are drawn in colour; openssl: it
# makes the certificate of its https check.
step "Debian packages: chromium, brotli, fonts-noto-color-emoji, openssl"
missing=()
for package in chromium brotli fonts-noto-color-emoji openssl; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' ||
        missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "present: $(chromium --version 2>/dev/null | head -n1), $(brotli --version)"
else
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

step "trunk $TRUNK_VERSION"
if [ "$(trunk --version 2>/dev/null)" = "trunk $TRUNK_VERSION" ]; then
    echo "present"
else
    cargo install trunk --version "$TRUNK_VERSION" --locked
fi

step "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    echo "present"
else
    # Not --locked: its lock file pins a webpki-roots that no longer resolves.
    cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

step "npm: playwright-core (web-test/)"
if [ -f web-test/node_modules/playwright-core/package.json ] &&
    node -e 'const w=require("./web-test/package.json").dependencies["playwright-core"],h=require("./web-test/node_modules/playwright-core/package.json").version;process.exit(w===h?0:1)'; then
    echo "present"
else
    npm ci --prefix web-test --no-audit --no-fund
fi

step "crates for the wasm build (trunk builds offline)"
cargo fetch --locked --target wasm32-unknown-unknown
