#!/usr/bin/env bash
# Builds the web client's release bundle into app/dist/ (`trunk build --release`: profile
# `wasm-release`), writes pre-compressed .gz (and, with brotli installed, .br) siblings that
# the relay serves to browsers accepting them, and prints the sizes.
#
#   scripts/web-build.sh            # needs scripts/web-setup.sh once
#   cargo run --release -p confab-server -- --web-dir app/dist    # then open the printed URL
#
# For development instead: `cd app && trunk serve` (http://127.0.0.1:8080, rebuilds on
# change) and open http://127.0.0.1:8080/?relay=ws://127.0.0.1:9001 with a relay running
# (`cargo run -p confab-server`).
set -euo pipefail
cd "$(dirname "$0")/.."

# trunk passes --offline to cargo (Trunk.toml): make sure the wasm32-only crates are here.
cargo fetch --locked --target wasm32-unknown-unknown --quiet

start=$(date +%s)
(cd app && trunk build --release)
echo "trunk build --release: $(($(date +%s) - start)) s"

start=$(date +%s)
for f in app/dist/*.wasm app/dist/*.js app/dist/*.html app/dist/*.svg app/dist/assets/*.json app/dist/assets/*.svg; do
    [ -f "$f" ] || continue
    gzip -9 -k -f "$f"
    if command -v brotli >/dev/null; then brotli -q 11 -k -f "$f"; fi
done
echo "pre-compression: $(($(date +%s) - start)) s"

size() { if [ -f "$1" ]; then stat -c %s "$1"; else echo 0; fi; }
for f in app/dist/*.wasm app/dist/*.js; do
    printf '%-48s %9d bytes raw %9d gzip -9 %9d brotli\n' "$f" "$(size "$f")" "$(size "$f.gz")" "$(size "$f.br")"
done
