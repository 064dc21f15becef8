#!/usr/bin/env bash
# Builds the web client's release bundle into app/dist/ (`trunk build --release`: profile
# `wasm-release`, wasm-opt -Oz) and prints its size, raw and gzipped.
#
#   scripts/web-build.sh            # needs scripts/web-setup.sh once
#
# For development instead: `cd app && trunk serve` (http://127.0.0.1:8080, rebuilds on
# change), with a relay on the same host: `cargo run -p confab-server` (ws://...:9001).
set -euo pipefail
cd "$(dirname "$0")/.."

# trunk passes --offline to cargo (Trunk.toml): make sure the wasm32-only crates are here.
cargo fetch --locked --target wasm32-unknown-unknown --quiet

start=$(date +%s)
(cd app && trunk build --release)
echo "trunk build --release: $(($(date +%s) - start)) s"

size() { stat -c %s "$1"; }
gz() { gzip -9 -c "$1" | wc -c; }
for f in app/dist/*.wasm app/dist/*.js; do
    printf '%-48s %9d bytes raw %9d bytes gzip -9\n' "$f" "$(size "$f")" "$(gz "$f")"
done
