#!/usr/bin/env bash
# The web client in real headless Chromium, end to end: builds the release bundle
# (scripts/web-build.sh), the relay and the console client, then runs web-test/web-test.mjs:
# a relay on 127.0.0.1 (free port) serving the bundle itself (--web-dir), the console client
# creating a room, the browser opening its invite link, joining by keyboard and exchanging
# a message each way, a confab.v1 subprotocol check, and the page over https (--tls-cert
# with a certificate made by openssl) creating a room over wss://. Saves target/web-test/web.png and web-phone.png
# (CONFAB_SCREENSHOT=docs/screenshots/web.png refreshes the README's).
#
#   scripts/web-test.sh                         # needs scripts/web-setup.sh once
#   CONFAB_WEB_SKIP_BUILD=1 scripts/web-test.sh # reuse app/dist
#   CONFAB_WEB_TEST_VERBOSE=1 ...               # echo the relay's and client's output
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${CONFAB_WEB_SKIP_BUILD:-0}" != 1 ] || [ ! -f app/dist/index.html ]; then
    scripts/web-build.sh
fi
cargo build --quiet -p confab-server -p confab-cli
[ -d web-test/node_modules/playwright-core ] || npm ci --prefix web-test --no-audit --no-fund

bin="${CARGO_TARGET_DIR:-target}/debug"
export CONFAB_DIST=app/dist CONFAB_SERVER_BIN="$bin/confab-server" CONFAB_CLI_BIN="$bin/confab-cli"
# The test bounds itself (270 s); this is the backstop should node itself hang.
timeout --kill-after=10 320 node web-test/web-test.mjs
