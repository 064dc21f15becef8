#!/usr/bin/env bash
# Installs what building and testing Confab needs and a fresh machine may lack. Idempotent:
# anything already present at the right version is left alone, so a warm machine pays nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# The toolchain pinned in rust-toolchain.toml, with its components and the wasm32 target.
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
rustup component add rustfmt clippy >/dev/null
rustup target add wasm32-unknown-unknown >/dev/null

# Redis for the cluster-mode tests (tests/tests/cluster*.rs start their own redis-server on a
# unix socket, without persistence). Debian's package; nothing is started as a service.
if ! command -v redis-server >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server
fi

# The web build and the real-browser test (trunk, wasm-bindgen, wasm-opt, Chromium, playwright).
if [ -x scripts/web-setup.sh ]; then
  scripts/web-setup.sh
fi
