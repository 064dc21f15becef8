#!/usr/bin/env bash
# The one command that runs every Confab test (README.md, .ci/run): formatting, lints (native
# and wasm32), unit, property, view (egui_kittest) and end-to-end tests, the WebSocket
# conformance suite (Autobahn|Testsuite against the relay's echo build, about a minute), then
# the web build in real headless Chromium. Installs missing tools first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "setup"
scripts/setup.sh

step "format"
cargo fmt --all --check

step "lints (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings
# The conformance echo (scripts/autobahn.sh) is behind a feature the line above leaves off.
cargo clippy -p confab-server --all-targets --features conformance --locked -- -D warnings

step "lints (wasm32 client)"
cargo clippy -p confab --target wasm32-unknown-unknown --locked -- -D warnings

step "tests"
cargo test --workspace --locked

step "WebSocket conformance (Autobahn|Testsuite, docs/conformance.md)"
scripts/autobahn.sh

if [ -x scripts/web-test.sh ]; then
  step "web build in headless Chromium"
  scripts/web-test.sh
fi
