#!/usr/bin/env bash
# Login throughput against the argon2 bound, and home-page latency under that load.
# Starts the release server on a fresh SQLite database, creates one activated user,
# then runs two wrk loads at once: logins, and GETs of the home page.
# Usage: scripts/bench-login.sh [seconds]   (needs a release build: make run or make test)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
duration=${1:-20}
port=3300
base="http://127.0.0.1:$port"
data=$(mktemp -d)
bin="${CARGO_TARGET_DIR:-target}/release/server"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[[ -x "$bin" ]] || cargo leptos build --release --precompress

cleanup() { kill "$server" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
LISTEN_ADDR=127.0.0.1:$port DATA_DIR="$data" LEPTOS_SITE_ROOT=target/site RUST_LOG=error \
  AUTH_RATE_LIMIT_PER_MINUTE=100000 MAIL_POLL_SECS=1 "$bin" &
server=$!
for _ in $(seq 1 100); do curl -fs "$base/health" >/dev/null && break; sleep 0.1; done

password='Plum-Orbit-Lantern-42!'
curl -fs -o /dev/null -H 'accept: application/json' "$base/fn/accounts/signup" \
  --data-urlencode username=bench --data-urlencode email=bench@example.com --data-urlencode name= \
  --data-urlencode "password=$password" --data-urlencode "password_confirm=$password"
token=$(curl -fs -X POST -H 'accept: application/json' "$base/fn/dev/outbox" | python3 -c '
import json, re, sys
for message in json.load(sys.stdin):
    found = re.search(r"/activate\?token=(\S+)", message["body"])
    if found:
        print(found.group(1)); break')
curl -fs -o /dev/null -H 'accept: application/json' "$base/fn/accounts/activate" --data-urlencode "token=$token"

cores=$(nproc)
verify_ms=$(cargo run -q --release -p server --example argon2_verify)
bound=$(python3 -c "print(f'{$cores / ($verify_ms / 1000):.1f}')")

echo "== idle home page (5 s)"
wrk -t1 -c4 -d5s --latency "$base/" | grep -E "Requests/sec|^ +(50|99)%"
echo "== ${duration}s: logins alone (wrk -c8)"
wrk -t1 -c8 -d"${duration}s" --latency -s scripts/bench/login.lua "$base/fn/accounts/login" | tee "$data/alone.txt" \
  | grep -E "Requests/sec|^ +(50|99)%|logins:"
echo "== ${duration}s: logins (wrk -c8) and home page (wrk -c4) at the same time"
wrk -t1 -c4 -d"${duration}s" --latency "$base/" > "$data/home.txt" &
home=$!
wrk -t1 -c8 -d"${duration}s" --latency -s scripts/bench/login.lua "$base/fn/accounts/login" | tee "$data/login.txt" \
  | grep -E "Requests/sec|^ +(50|99)%|logins:"
wait $home
echo "-- home page under login load"
grep -E "Requests/sec|^ +(50|99)%" "$data/home.txt"
echo
echo "single argon2id verify (m=19456, t=2, p=1): ${verify_ms} ms; bound = ${cores} cores / verify = ${bound} logins/s"
echo "measured: $(awk '/Requests\/sec/ {print $2}' "$data/alone.txt") logins/s alone, \
$(awk '/Requests\/sec/ {print $2}' "$data/login.txt") logins/s beside the home-page load"
