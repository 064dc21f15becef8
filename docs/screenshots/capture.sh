#!/usr/bin/env bash
# Retakes join.png and room.png from the real app: a relay on 127.0.0.1, the native client
# in an Xvfb window, and confab-cli bots that make a busy room (joins, a link, a mention,
# CJK, emoji, a whisper, a join/leave burst). Run from anywhere:
#
#   docs/screenshots/capture.sh [OUT_DIR] [WIDTH HEIGHT]     # default: this dir, 1100x720
#
# Needs: xvfb xdotool imagemagick (and Mesa for OpenGL); fonts-noto-cjk for the Chinese
# name and message. Every process it starts is stopped again by PID on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$here}
width=${2:-1100}
height=${3:-720}
port=${CONFAB_SHOT_PORT:-19411}
server="ws://127.0.0.1:$port"
display=${CONFAB_SHOT_DISPLAY:-:99}
work=$(mktemp -d)
pids=()

cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

cd "$root"
cargo build -q -p confab -p confab-server -p confab-cli
bin="$root/target/debug"

Xvfb "$display" -screen 0 "$((width + 100))x$((height + 100))x24" -nolisten tcp &
pids+=($!)
export DISPLAY=$display
"$bin/confab-server" --bind "127.0.0.1:$port" >"$work/relay.log" 2>&1 &
pids+=($!)
sleep 1

# A bot reads the lines to say from a FIFO; a sleeping writer keeps the FIFO open.
bot() {
    local name=$1
    shift
    mkfifo "$work/in_$name"
    sleep 100000 >"$work/in_$name" &
    pids+=($!)
    "$bin/confab-cli" --server "$server" --name "$name" "$@" <"$work/in_$name" \
        >"$work/out_$name.log" 2>&1 &
    pids+=($!)
}
say() {
    echo "$2" >"$work/in_$1"
    sleep 0.7
}

bot maya --create
# A fresh profile, so the join form starts empty.
XDG_DATA_HOME="$work/data" RUST_LOG=warn "$bin/confab" >"$work/app.log" 2>&1 &
pids+=($!)
sleep 3
room=$(grep -o 'room code: [A-Z0-9-]*' "$work/out_maya.log" | cut -d' ' -f3)
win=$(xdotool search --sync --name '^Confab' | head -1)
xdotool windowsize "$win" "$width" "$height"
xdotool windowmove "$win" 0 0
sleep 1.5
xdotool windowfocus --sync "$win"

# The join card is centred; its fields sit at fixed offsets from the middle.
cx=$((width / 2))
top=$(((height - 720) / 2))
type_at() {
    xdotool mousemove "$cx" "$(($1 + top))" click 1
    sleep 0.3
    xdotool key ctrl+a
    xdotool type --delay 25 "$2"
}
type_at 263 ann
type_at 324 "$room"
type_at 380 "$server"
xdotool key Escape
xdotool mousemove "$((width - 20))" "$((height - 20))"
sleep 1
import -window root -crop "${width}x${height}+0+0" +repage "$out/join.png"
xdotool mousemove "$((cx + 97))" "$((427 + top))" click 1
sleep 1.5

for name in jonas priya 李雷 sam; do
    bot "$name" --room "$room"
    sleep 0.2
done
sleep 1.5
say maya "Morning all! Notes from stand-up 👉 https://example.com/standup"
say jonas "Thanks 👍 I'll add the release checklist"
say priya "@ann could you review the relay PR before lunch?"
say 李雷 "早上好！网页版今天可以试用了 🚀"
for name in tom lena omar; do # join and leave at once: one collapsed presence line
    "$bin/confab-cli" --server "$server" --name "$name" --room "$room" </dev/null >/dev/null 2>&1
    sleep 0.2
done
say priya "/w ann the demo moved to 3 pm, keep it quiet 🤫"
say sam "Build is green again 🎉"
xdotool windowfocus --sync "$win"
xdotool mousemove "$((width / 3))" "$((height - 30))" click 1
sleep 0.3
xdotool type --delay 25 "On it @priya, comments by 12"
xdotool key Return
sleep 0.8
say maya "@ann 🙌 thanks!"
xdotool mousemove "$((width - 200))" 300
sleep 1.5
import -window root -crop "${width}x${height}+0+0" +repage "$out/room.png"
echo "saved $out/join.png and $out/room.png (room $room)"
