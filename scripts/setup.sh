#!/usr/bin/env bash
# Installs what building and testing Confab needs and a fresh machine may lack. Idempotent:
# anything already present at the right version is left alone, so a warm machine pays nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# The toolchain pinned in rust-toolchain.toml, with its components and the wasm32 target.
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
rustup component add rustfmt clippy >/dev/null
rustup target add wasm32-unknown-unknown >/dev/null

# The web build and the real-browser test (trunk, wasm-bindgen, wasm-opt, Chromium, playwright).
if [ -x scripts/web-setup.sh ]; then
  scripts/web-setup.sh
fi
