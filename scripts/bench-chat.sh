#!/usr/bin/env bash
# Chat benchmark (a measurement, not a test). Two parts, on a fresh database:
#  1. Delivery: CLIENTS sockets (default 1,000) in one room and SENDERS (10) at a steady
#     RATE (messages/s, default 150, i.e. 150,000 deliveries/s to 1,000 sockets) for
#     SECONDS; reports deliveries/s, p50/p99 send-to-receive latency and where the CPU
#     went, and fails unless every message was stored and reached every socket once, in
#     order. SQLite runs one server process; PostgreSQL runs two, sockets split across
#     them (delivery between them goes through LISTEN/NOTIFY).
#  2. Memory: the server's resident memory with no sockets, 1,000 and 10,000 idle
#     authenticated sockets following the room, and the cost per socket.
# Usage: scripts/bench-chat.sh [sqlite|postgres] [clients] [rate] [seconds] [senders]
# (builds the release server and the bench client when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
engine=${1:-sqlite}
clients=${2:-1000}
rate=${3:-150}
seconds=${4:-15}
senders=${5:-10}
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/server"
client="$target/release/examples/chat_bench"
[[ -x "$bin" ]] || cargo leptos build --release --precompress
cargo build --release -q -p server --example chat_bench
# 10,000 sockets need as many descriptors on both ends (each end is its own process).
ulimit -n "$(ulimit -Hn)"
if (( $(ulimit -n) < 10100 )); then echo "needs 10,100 open files per process; the limit is $(ulimit -n)" >&2; exit 1; fi

data=$(mktemp -d)
case "$engine" in
  sqlite) database="sqlite://$data/bench.db?mode=rwc"; processes=1 ;;
  postgres)
    admin=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
    db="chatbench_$(date +%s)"
    psql "$admin" -qc "CREATE DATABASE $db"
    database="${admin%/*}/$db"
    processes=2
    ;;
  *) echo "engine must be sqlite or postgres" >&2; exit 2 ;;
esac

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ "$engine" == postgres ]]; then psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

export APP_ENV=development DATA_DIR="$data" DATABASE_URL="$database" LEPTOS_SITE_ROOT="$target/site" RUST_LOG=warn
# The bench's users sign in at once from one address and hold many sockets each, and
# senders send faster than a person may.
export LOGIN_REQUIRES_ACTIVATION=false AUTH_RATE_LIMIT_PER_MINUTE=100000 MAIL_POLL_SECS=3600
export CHAT_MAX_SOCKETS_PER_USER=1000 CHAT_MESSAGES_PER_SECOND=1000 CHAT_BURST=10000

# Starts server number $1 (port 3320 + $1); its pid is appended to `pids`.
start() {
  local port=$((3320 + $1))
  LISTEN_ADDR=127.0.0.1:$port PUBLIC_URL=http://127.0.0.1:$port "$bin" >>"$data/server-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && return; sleep 0.1; done
  echo "server $1 did not start" >&2; cat "$data/server-$1.log" >&2; exit 1
}

rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }

echo "== delivery: $clients sockets, $rate messages/s, $seconds s, $engine ($processes process(es))"
urls=()
for n in $(seq 0 $((processes - 1))); do
  start "$n"
  urls+=("http://127.0.0.1:$((3320 + n))")
done
"$client" deliver --urls "$(IFS=,; echo "${urls[*]}")" --clients "$clients" --rate "$rate" \
  --seconds "$seconds" --senders "$senders" --pids "$(IFS=,; echo "${pids[*]}")"
for pid in "${pids[@]}"; do kill "$pid"; done
wait 2>/dev/null || true
pids=()

echo
echo "== memory: idle sockets on one server process"
start 0
server=${pids[0]}
sleep 1
echo "no sockets            $(( $(rss_kib "$server") / 1024 )) MiB resident"
for count in 1000 10000; do
  fifo="$data/idle-$count"
  mkfifo "$fifo"
  "$client" idle --urls http://127.0.0.1:3320 --clients "$count" --users 100 --seconds 600 >"$fifo" &
  idle=$!
  pids+=("$idle")
  exec 3<"$fifo"
  # Registering runs Argon2, which grows the heap: the baseline is taken after it.
  grep -m1 -q '^registered' <&3
  base_kib=$(rss_kib "$server")
  grep -m1 -q '^ready' <&3
  sleep 3
  kib=$(rss_kib "$server")
  per=$(( (kib - base_kib) * 1024 / count ))
  echo "$count idle sockets  $((kib / 1024)) MiB resident: $per bytes per socket (over $((base_kib / 1024)) MiB just before)"
  kill "$idle"
  wait "$idle" 2>/dev/null || true
  exec 3<&-
  sleep 2
done
