#!/usr/bin/env bash
# Installs what building and testing Confab needs and a fresh machine may lack. Idempotent:
# anything already present at the right version is left alone, so a warm machine pays nothing.
#
#   scripts/setup.sh                 # what scripts/test-all.sh (the README's test command) needs
#   scripts/setup.sh --screenshots   # also what docs/screenshots/capture.sh needs
#
# What the tests read from the system, and why (Debian 12 packages):
#   rustup toolchain of rust-toolchain.toml, rustfmt, clippy, the wasm32 target: every build
#   gcc                     C code in ring (TLS) and wayland-backend
#   redis-server, redis-tools   tests/tests/cluster*.rs and friends start their own
#                           redis-server on a unix socket (and with --tls-port) and use redis-cli
#   libfaketime             tests/tests/cluster.rs runs a relay whose wall clock is an hour
#                           fast (LD_PRELOAD), to show no relay's clock can reap the others
#   openssl                 web-test/web-test.mjs makes the certificate of its https check,
#                           scripts/autobahn.sh the one of its wss:// run
#   chromium                web-test/*.mjs: the web client in real headless Chromium
#   fonts-noto-color-emoji  web-test/web-test.mjs checks that an emoji in a message is drawn
#                           in colour (without it Chromium draws DejaVu's grey outline, or a box);
#                           app/src/ui/fonts.rs checks the native app finds it for emoji
#   fonts-dejavu-core       the browser's reference rendering of Arabic in web-test.mjs, the
#                           font with grey emoji that fonts.rs's test must not pick, and the only
#                           font of the browser test's second Chromium (no emoji font)
#   brotli                  scripts/web-build.sh writes .br files the relay serves
#   trunk, wasm-bindgen-cli, playwright-core (npm)   scripts/web-setup.sh
#   Node.js >= 20           playwright-core (Debian 12's nodejs is 18: the machine's own is used)
#   Python 2.7 (pyenv 2.7.18), wstest   scripts/autobahn.sh, the WebSocket conformance step of
#                           scripts/test-all.sh: Autobahn|Testsuite is Python 2 only, and Debian 12
#                           has no Python 2. The machine's pyenv 2.7.18 (or $AUTOBAHN_PYTHON, or
#                           python2.7 on PATH) gets a virtualenv in ~/.cache/confab-autobahn with
#                           wstest from PyPI (scripts/autobahn-requirements.txt); gcc builds its
#                           C extensions where no wheel fits
# The egui view tests (egui_kittest) need no font, display or GPU: they run with no system
# fonts at all, which is how they prove the app's controls are drawn with its bundled fonts.
# libfontconfig1 (a dependency of chromium) lets the native system-font test enumerate fonts.
# With --screenshots, for docs/screenshots/capture.sh and web-test/screenshots.mjs:
#   xvfb, xauth, xdotool, imagemagick, libgl1-mesa-dri   a real window, typed into, captured
#   fonts-noto-cjk          CJK names and messages in the busy-room screenshots
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(gcc redis-server redis-tools openssl chromium fonts-noto-color-emoji
    fonts-dejavu-core brotli libfaketime)
if [ "${1:-}" = --screenshots ]; then
    PACKAGES+=(xvfb xauth xdotool imagemagick libgl1-mesa-dri fonts-noto-cjk)
fi

# Debian packages: one apt run for all that are missing.
missing=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' ||
        missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node.js from the machine: playwright-core needs 20 or newer.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
    echo "Node.js 20 or newer is needed for the browser tests (found: ${node_major})" >&2
    exit 1
fi

# wstest for the WebSocket conformance suite, in its own virtualenv (about 2 minutes, once).
scripts/autobahn.sh --install

# The toolchain pinned in rust-toolchain.toml, with its components and the wasm32 target.
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
rustup component add rustfmt clippy >/dev/null
rustup target add wasm32-unknown-unknown >/dev/null

# The web build and the real-browser test (trunk, wasm-bindgen, Chromium, playwright).
if [ -x scripts/web-setup.sh ]; then
    scripts/web-setup.sh
fi
