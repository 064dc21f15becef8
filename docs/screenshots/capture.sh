#!/usr/bin/env bash
# Takes the native screenshots from the real app: a relay on 127.0.0.1 with a permanent
# room `lobby`, the debug client in an Xvfb window (a fresh profile), and confab-cli bots
# that make a busy room (a burst, a link, a mention of you, CJK, Arabic and Hebrew, colour
# emoji with a skin tone and a family, an action, a whisper, a join/leave burst), one of
# them away and one reconnecting (its connection dropped).
#
#   docs/screenshots/capture.sh NAME WIDTH HEIGHT [light]   # writes NAME.png here
#   docs/screenshots/capture.sh room 1280 800               # desktop, dark
#   docs/screenshots/capture.sh phone-light 400 800 light   # phone width, light
#   docs/screenshots/capture.sh join 1280 800                # the join screen, a name typed
#   CONFAB_SHOT_CLICK=113,16 docs/screenshots/capture.sh phone-people 400 800
#                                                            # click there (the people sheet)
#   CONFAB_SHOT_ATTACH=1 docs/screenshots/capture.sh room-attach 1280 800
#                                                            # bots attach a picture and a file
#   CONFAB_SHOT_ATTACH=1 CONFAB_SHOT_CLICK=178,520 docs/screenshots/capture.sh viewer 1280 800
#                                                            # ... and the picture opened
#   CONFAB_SHOT_CONVERSATION=1 docs/screenshots/capture.sh conversation 1280 800
#                                                            # replies, reactions, an edit...
#   CONFAB_SHOT_EMPTY=1 docs/screenshots/capture.sh empty-room 1280 800
#                                                            # no bots: the empty room's invite
#   CONFAB_SHOT_PRIVATE=1 CONFAB_SHOT_CLICK=X,Y docs/screenshots/capture.sh private-room 1280 800
#                                                            # a private room (jonas creates it
#                                                            # with --private, everyone else and
#                                                            # the app join by its invite link);
#                                                            # the click opens the safety code
#                                                            # (port 9001: the app's default)
#   CONFAB_SHOT_BIN=DIR ...     # binaries already built in DIR (no cargo build here)
#
# Joins by keyboard (the name field has the focus; Tab to the room; Enter joins), so it
# does not depend on where the join card's fields are. Needs: xvfb xdotool imagemagick,
# Mesa, fonts-noto-cjk and fonts-noto-color-emoji. Every process it starts is stopped by
# PID on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
name=$1
width=$2
height=$3
theme=${4:-dark}
port=${CONFAB_SHOT_PORT:-9001} # the app's default server address
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
if [ -z "${CONFAB_SHOT_BIN:-}" ]; then
    cargo build -q -p confab -p confab-server -p confab-cli
fi
bin="${CONFAB_SHOT_BIN:-$root/target/debug}"

Xvfb "$display" -screen 0 "$((width + 100))x$((height + 100))x24" -nolisten tcp &
pids+=($!)
export DISPLAY=$display
"$bin/confab-server" --bind "127.0.0.1:$port" --room lobby >"$work/relay.log" 2>&1 &
pids+=($!)
sleep 1

# The room everyone joins: the permanent lobby, or (CONFAB_SHOT_PRIVATE) a private room
# the first bot creates, then its invite link.
room=lobby
if [ -n "${CONFAB_SHOT_PRIVATE:-}" ]; then room=private; fi

# A bot reads the lines to say from a FIFO; a sleeping writer keeps the FIFO open.
declare -A cli_pid
bot() {
    local who=$1
    mkfifo "$work/in_$who"
    sleep 100000 >"$work/in_$who" &
    pids+=($!)
    local where=(--room "$room")
    if [ "$room" = private ]; then where=(--private); fi
    "$bin/confab-cli" --server "$server" --name "$who" "${where[@]}" <"$work/in_$who" \
        >"$work/out_$who.log" 2>&1 &
    pids+=($!)
    cli_pid[$who]=$!
    if [ "$room" = private ]; then # the first bot made it: the others use its invite link
        for _ in $(seq 50); do
            room=$(sed -n 's/^invite link.*): //p' "$work/out_$who.log" | head -1)
            if [ -n "$room" ]; then break; fi
            room=private
            sleep 0.2
        done
        if [ "$room" = private ]; then echo "$who printed no invite link" >&2 && exit 1; fi
    fi
}
say() {
    echo "$2" >"$work/in_$1"
    sleep 0.5
}

empty=${CONFAB_SHOT_EMPTY:-}
for who in jonas priya 李雷 layla noa; do
    [ -n "$empty" ] && break
    bot "$who"
    sleep 0.2
done
sleep 1
if [ -z "$empty" ]; then
say jonas "morning all 😀 🚀 👋🏽 ❤️ 🎉"
say jonas "coffee first ☕"
say jonas "then the deploy"
say jonas "notes: https://en.wikipedia.org/wiki/Rust_(programming_language)"
say priya "@maya did the staging build finish? 👍"
say 李雷 "早上好！网页版今天可以试用了 🚀"
say 李雷 "東京の天気は晴れ ☀️"
fi

# The app, on a fresh profile so the join form starts empty (and dark or light).
XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" RUST_LOG=warn \
    "$bin/confab" >"$work/app.log" 2>&1 &
pids+=($!)
win=$(xdotool search --sync --name '^Confab' | head -1)
xdotool windowsize "$win" "$width" "$height"
xdotool windowmove "$win" 0 0
sleep 2
xdotool windowfocus --sync "$win"
xdotool type --delay 30 maya
if [ "$name" = join ]; then
    xdotool mousemove "$((width - 40))" "$((height - 40))"
    sleep 1
    import -window root -crop "${width}x${height}+0+0" +repage "$here/$name.png"
    echo "saved $here/$name.png"
    exit 0
fi
sleep 1 # a loaded machine may still be drawing the name: let it catch up before Tab
xdotool key Tab
sleep 0.5
typed=$room
if [ -n "${CONFAB_SHOT_PRIVATE:-}" ]; then
    # Typed as `CODE.key` (the link's parts; the app's server is its default, this relay):
    # a link typed letter by letter is read as a relay address half way.
    typed=${room##*#}
    case $typed in *.*) ;; *) code=${room#confab://join/} && typed="${code%%\?*}.$typed" ;; esac
fi
xdotool type --delay 30 "$typed"
sleep 0.5
xdotool key Return
sleep 2
if [ -n "$empty" ]; then # the room before its first message, nobody else in it
    xdotool mousemove "$((width - 40))" "$((height / 2))"
    sleep 1.5
    import -window root -crop "${width}x${height}+0+0" +repage "$here/$name.png"
    echo "saved $here/$name.png"
    exit 0
fi

for who in tom lena omar; do # join and leave at once: one collapsed presence line
    "$bin/confab-cli" --server "$server" --name "$who" --room "$room" </dev/null >/dev/null 2>&1
    sleep 0.2
done
say layla "مرحبا بالجميع 👋"
say noa "שלום Confab עולם"
say priya "/w maya the demo moved to 3 pm, keep it quiet 🤫"
say jonas "/me is making coffee for everyone"
say noa "family photo day 👨‍👩‍👧 🎂"
say priya "/away"
# layla's connection drops (no close frame): the people list shows her as reconnecting.
kill -9 "${cli_pid[layla]}"
xdotool windowfocus --sync "$win"
xdotool type --delay 25 "on it @priya, will post the link 🙌"
xdotool key Return
sleep 1
if [ -n "${CONFAB_SHOT_CONVERSATION:-}" ]; then
    # Replies, reactions, an edit, a deletion and formatted text, by bots (seqs as the
    # lines above numbered them: jonas 1-4, priya 5, 李雷 6-7, layla 8, noa 9, jonas's
    # action 10, noa 11, maya 12).
    say priya "/reply 12 thanks! *ship it* at 3, the \`release\` branch is _frozen_"
    say jonas "/react 12 👍"
    say noa "/react 12 👍"
    say 李雷 "/react 12 🎉"
    say jonas "/edit 3 then the deploy (moved to 3 pm)"
    say noa "/delete 11"
    say noa "> the demo moved to 3 pm"
    say jonas "/reply 6 nice, **trying it now**"
    sleep 1
fi
if [ -n "${CONFAB_SHOT_ATTACH:-}" ]; then
    # A picture drawn here (no files from elsewhere) and a small text file, attached by bots.
    convert -size 640x400 gradient:'#ff9a3c-#3a1c71' \
        -fill '#ffe9a8' -draw 'circle 320,300 320,230' \
        -fill '#20124d' -draw 'rectangle 0,330 640,400' "$work/sunset.png"
    printf 'Standup notes\n- deploy at 3 pm\n' >"$work/standup-notes.txt"
    say noa "/attach $work/sunset.png"
    say jonas "/attach $work/standup-notes.txt"
    sleep 3 # the app fetches and decodes the picture
fi
if [ "$theme" = light ]; then
    # Wide: the theme menu (the icon left of Leave), then its third item, "Light", below
    # it. Narrow (a phone): the theme is in the "More" menu at the top right, under a
    # "Theme" heading, so "Light" sits further down.
    if [ "$width" -ge 640 ]; then
        x=${CONFAB_SHOT_LIGHT_X:-$((width - 99))} y=${CONFAB_SHOT_LIGHT_Y:-16}
        dy=${CONFAB_SHOT_MENU_DY:-75}
    else
        x=${CONFAB_SHOT_LIGHT_X:-$((width - 27))} y=${CONFAB_SHOT_LIGHT_Y:-16}
        dy=${CONFAB_SHOT_MENU_DY:-94}
    fi
    xdotool mousemove "$x" "$y" click 1
    sleep 1
    xdotool mousemove "$((x - ${CONFAB_SHOT_MENU_DX:-80}))" "$((y + dy))" click 1
    sleep 1
fi
if [ -n "${CONFAB_SHOT_CLICK:-}" ]; then
    xdotool mousemove "${CONFAB_SHOT_CLICK%,*}" "${CONFAB_SHOT_CLICK#*,}" click 1
    sleep 1
    xdotool mousemove "$((width / 2))" "$((height - 120))"
else
    xdotool mousemove "$((width - 40))" "$((height / 2))"
fi
sleep 1.5
import -window root -crop "${width}x${height}+0+0" +repage "$here/$name.png"
echo "saved $here/$name.png"
