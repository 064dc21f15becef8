#!/usr/bin/env bash
# The native client at rest (issue 13): its memory with a 2,000-message room and its CPU
# with the window open and nothing happening. A relay on 127.0.0.1:PORT with a permanent
# room `lobby` (rate limits lifted, so the filler is not throttled), the release client in
# an Xvfb window on a fresh profile joined by keyboard, a watcher that sees the join, then
# confab-cli sends 2,000 messages; RSS and CPU ticks come from /proc. Every process it
# starts is stopped by PID on exit.
#
#   cargo build --release -p confab -p confab-server -p confab-cli
#   app/benches/client-at-rest.sh            # PORT=9417 DISPLAY_NUM=:77 IDLE_S=30
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
port=${PORT:-9417}
display=${DISPLAY_NUM:-:77}
idle=${IDLE_S:-30}
messages=${MESSAGES:-2000}
bin=$root/target/release
server="ws://127.0.0.1:$port"
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# utime + stime, in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Polls a condition for at most $1 seconds.
wait_for() {
    local limit=$1; shift
    for _ in $(seq $((limit * 10))); do "$@" && return 0; sleep 0.1; done
    echo "timed out: $*" >&2; return 1
}

Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp &
pids+=($!)
export DISPLAY=$display
"$bin/confab-server" --bind "127.0.0.1:$port" --room lobby \
    --messages-per-second 100000 --burst 100000 >"$work/relay.log" 2>&1 &
pids+=($!)
wait_for 10 grep -q "listening\|open http\|127.0.0.1:$port" "$work/relay.log"

# Who is in the room, as JSON lines; a sleeping writer keeps its stdin open.
mkfifo "$work/watch_in"
sleep 100000 >"$work/watch_in" &
pids+=($!)
"$bin/confab-cli" --server "$server" --name watcher --room lobby --json \
    <"$work/watch_in" >"$work/watch.log" 2>&1 &
pids+=($!)

# A fresh profile whose server address is this relay (the join form starts with it).
mkdir -p "$work/data/confab"
printf '{"app":"(form:(username:\\"\\",server:\\"%s\\",host_addr:\\"\\",advanced:false),mention_sound:false)"}\n' \
    "$server" >"$work/data/confab/app.ron"
DISPLAY=$display XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" RUST_LOG=warn \
    "$bin/confab" >"$work/app.log" 2>&1 &
app=$!
pids+=($app)
win=$(xdotool search --sync --name '^Confab' | head -1)
xdotool windowsize "$win" 1280 800
sleep 2
xdotool windowfocus --sync "$win"
xdotool type --delay 30 natty
xdotool key Tab
xdotool type --delay 30 lobby
xdotool key Return
wait_for 20 grep -q '"member_joined".*natty' "$work/watch.log"
sleep 3
joined_kb=$(rss_kb "$app")

start=$(date +%s.%N)
args=()
for i in $(seq "$messages"); do
    args+=(--send "message $i: the quick brown fox jumps over the lazy dog, again and again")
done
"$bin/confab-cli" --server "$server" --name filler --room lobby "${args[@]}" >/dev/null 2>&1
wait_for 60 grep -q "message $messages:" "$work/watch.log"
filled=$(date +%s.%N)
sleep 5 # the client draws what arrived, then nothing is left to do
full_kb=$(rss_kb "$app")

# Idle: the window open, the composer focused (its caret blinks), nothing arriving.
t0=$(ticks "$app")
sleep "$idle"
t1=$(ticks "$app")
hz=$(getconf CLK_TCK)
# Idle without a focused text field: click an empty spot of the message list first.
xdotool mousemove 640 300 click 1
xdotool mousemove 1200 790
sleep 2
u0=$(ticks "$app")
sleep "$idle"
u1=$(ticks "$app")
idle_kb=$(rss_kb "$app")

echo "native client: RSS joined (empty room) ${joined_kb} KiB; after ${messages} messages ${full_kb} KiB; after idling ${idle_kb} KiB"
echo "native client: ${messages} messages delivered and drawn in $(echo "$filled - $start" | bc) s"
echo "native client: idle CPU, composer focused: $(echo "scale=3; 100 * ($t1 - $t0) / $hz / $idle" | bc) % ($((t1 - t0)) ticks in ${idle} s)"
echo "native client: idle CPU, nothing focused: $(echo "scale=3; 100 * ($u1 - $u0) / $hz / $idle" | bc) % ($((u1 - u0)) ticks in ${idle} s)"
