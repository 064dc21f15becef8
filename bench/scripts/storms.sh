#!/usr/bin/env bash
# The storm and outage runs of BENCHMARKS.md ("Storms and outages"), one after the other.
# Each run starts its own relays and redis-server on free loopback ports and stops them.
#
# usage: bench/scripts/storms.sh [quick]   (after cargo build --release -p confab-server -p confab-bench)
#   quick: skip the two 10-minute soaks
set -euo pipefail
cd "$(dirname "$0")/../.."
ulimit -n "$(ulimit -Hn)"
bin=${CARGO_TARGET_DIR:-target}/release
S="$bin/confab-bench storm --relay-bin ${CONFAB_RELAY:-$bin/confab-server}"
run() { echo "== $*"; $S "$@" | tail -n 1; }
for backoff in jittered fixed; do
    run --fault relay-restart --permanent-rooms --backoff $backoff
    run --fault relay-restart --permanent-rooms --backoff $backoff --down 5
    run --fault relay-kill --relays 2 --after 25 --backoff $backoff
done
run --fault redis-pause --relays 2 --clients 1000 --rooms 100 --senders 100 --down 10
run --fault redis-restart --relays 2 --clients 1000 --rooms 100 --senders 100
# One address stands for 1,000 people here: lift the per-address failed-join limit too.
run --fault redis-restart --relays 2 --clients 1000 --rooms 100 --senders 100 \
    --relay-arg=--max-failed-joins --relay-arg=1000000
run --fault redis-restart --relays 2 --clients 2000 --rooms 200 --senders 200 \
    --relay-arg=--max-failed-joins --relay-arg=1000000
run --fault slow-subscriber --relays 2 --clients 10 --rooms 1 --senders 4 --rate 2000 \
    --size 1000 --down 8 --warmup 2 --after 10 --pubsub-limit "2mb 1mb 2"
if [ "${1:-}" != quick ]; then
    run --fault none --clients 2000 --rooms 500 --senders 0 --rate 400 --warmup 600 --sample-every 5
    run --fault none --relays 2 --clients 2000 --rooms 500 --senders 0 --rate 400 --warmup 600 \
        --sample-every 5
fi
