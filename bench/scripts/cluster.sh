#!/usr/bin/env bash
# One relay vs two relays on one Redis, same loads, interleaved (BENCHMARKS.md, cluster
# mode). Starts its own redis-server (unix socket, no persistence) and three release relays
# on loopback ports, runs the load tool against each setup twice, and stops what it started.
#
# usage: bench/scripts/cluster.sh   (after cargo build --release -p confab-server -p confab-bench)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
redis-server --port 0 --unixsocket "$dir/redis.sock" --save '' --appendonly no \
    --dir "$dir" --daemonize no >/dev/null 2>&1 &
redis_pid=$!
trap 'kill $single $one $two $redis_pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do [ -S "$dir/redis.sock" ] && break; sleep 0.1; done
single=$(bench/scripts/relay.sh 9401)
one=$(bench/scripts/relay.sh 9402 --redis "redis+unix://$dir/redis.sock")
two=$(bench/scripts/relay.sh 9403 --redis "redis+unix://$dir/redis.sock")
sleep 1
load() { target/release/confab-bench load --clients 100 --rooms 1 --senders 10 --duration 5 "$@" | tail -n 1; }
for round in 1 2; do
    echo "== round $round: 100 msg/s"
    load --server 127.0.0.1:9401 --server-pid "$single" --rate 100
    load --server 127.0.0.1:9402,127.0.0.1:9403 --server-pid "$one" --rate 100
    echo "== round $round: flat out"
    load --server 127.0.0.1:9401 --server-pid "$single" --window 4
    load --server 127.0.0.1:9402,127.0.0.1:9403 --server-pid "$one" --window 4
done
redis-cli -s "$dir/redis.sock" info commandstats | grep -E 'evalsha|publish'
