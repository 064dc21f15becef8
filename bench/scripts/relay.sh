#!/usr/bin/env bash
# Starts a release relay on 127.0.0.1:PORT with the benchmark limits, logs to
# /tmp/confab-relay-PORT.log, and prints its PID (stop it with `kill PID`).
#
# usage: bench/scripts/relay.sh PORT [extra relay flags...]
# The default limits (64 connections per IP, 1000 members per room, 5 messages/s with a
# burst of 20) would refuse or rate-limit the generator; these flags lift them. Everything
# else (outbox size, timeouts, history) stays at its default.
set -euo pipefail
port=${1:?usage: relay.sh PORT [flags...]}
shift
bin=${CONFAB_RELAY:-target/release/confab-server}
ulimit -n "$(ulimit -Hn)"
"$bin" --bind "127.0.0.1:$port" \
    --max-connections-per-ip 200000 \
    --max-room-members 100000 \
    --messages-per-second 1000000 --burst 1000000 \
    "$@" >"/tmp/confab-relay-$port.log" 2>&1 &
echo $!
