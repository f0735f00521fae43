#!/usr/bin/env bash
# Operations figures. 1) Requests/s of the home page and of logins with metrics off and on,
# alternating off/on twice in one run so both see the same machine. 2) The time a client
# waits for a TLS handshake with the in-process HTTPS listener (curl: appconnect - connect).
# Usage: scripts/bench-ops.sh [seconds per load]   (needs a release build: make run or make test)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
duration=${1:-10}
port=3301
bin="${CARGO_TARGET_DIR:-target}/release/server"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[[ -x "$bin" ]] || cargo leptos build --release --precompress
work=$(mktemp -d)
server=
stop() { [[ -n "$server" ]] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }; server=; }
trap 'stop; rm -rf "$work"' EXIT
password='Plum-Orbit-Lantern-42!'

# Starts the server on a fresh database with extra VAR=value settings; waits for /health.
start() {
  local data="$work/data-$RANDOM"
  env LISTEN_ADDR=127.0.0.1:$port DATA_DIR="$data" LEPTOS_SITE_ROOT=target/site RUST_LOG=error \
    AUTH_RATE_LIMIT_PER_MINUTE=100000 MAIL_POLL_SECS=1 "$@" "$bin" &
  server=$!
}

wait_up() {
  for _ in $(seq 1 200); do curl -fsk "$1/health" >/dev/null && return; sleep 0.1; done
  echo "the server did not start" >&2; exit 1
}

# The account scripts/bench/login.lua logs in as.
bench_user() {
  local base=$1
  curl -fs -o /dev/null -H 'accept: application/json' "$base/fn/accounts/signup" \
    --data-urlencode username=bench --data-urlencode email=bench@example.com --data-urlencode name= \
    --data-urlencode "password=$password" --data-urlencode "password_confirm=$password"
  local token
  token=$(curl -fs -X POST -H 'accept: application/json' "$base/fn/dev/outbox" | python3 -c '
import json, re, sys
print(next(re.search(r"/activate\?token=(\S+)", m["body"]).group(1) for m in json.load(sys.stdin)))')
  curl -fs -o /dev/null -H 'accept: application/json' "$base/fn/accounts/activate" --data-urlencode "token=$token"
}

rate() { awk '/Requests\/sec/ {print $2}'; }

base="http://127.0.0.1:$port"
declare -A home login
for round in 1 2; do
  for mode in off on; do
    if [[ $mode == on ]]; then start METRICS_TOKEN=bench-metrics-token-0123456789; else start; fi
    wait_up "$base"
    bench_user "$base"
    home[$mode]+="$(wrk -t1 -c8 -d"${duration}s" "$base/" | rate) "
    login[$mode]+="$(wrk -t1 -c8 -d"${duration}s" -s scripts/bench/login.lua "$base/fn/accounts/login" | rate) "
    if [[ $mode == on ]]; then
      series=$(curl -fs -H 'authorization: Bearer bench-metrics-token-0123456789' "$base/metrics" | grep -c '^api_' || true)
      echo "round $round, metrics on: /metrics holds $series samples"
    fi
    stop
  done
done
echo "== requests/s, ${duration} s each, two rounds (wrk -t1 -c8)"
printf '%-12s %-28s %s\n' "" "home page /" "logins /fn/accounts/login"
for mode in off on; do printf '%-12s %-28s %s\n' "metrics $mode" "${home[$mode]}" "${login[$mode]}"; done

echo "== TLS handshake (ECDSA P-256 certificate, TLS 1.3, 300 new connections, curl)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
start ENABLE_HTTPS=true SSL_CERT_PATH="$work/cert.pem" SSL_KEY_PATH="$work/key.pem" PUBLIC_URL="https://localhost:$port"
tls="https://localhost:$port"
for _ in $(seq 1 200); do curl -fs --cacert "$work/cert.pem" --resolve "localhost:$port:127.0.0.1" "$tls/health" >/dev/null && break; sleep 0.1; done
for _ in $(seq 1 300); do
  curl -s -o /dev/null --cacert "$work/cert.pem" --resolve "localhost:$port:127.0.0.1" \
    -w '%{time_connect} %{time_appconnect}\n' "$tls/health"
done | python3 -c '
import sys
ms = sorted((float(b) - float(a)) * 1000 for a, b in (line.split() for line in sys.stdin))
pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
print(f"handshake: p50 {pick(0.5):.2f} ms, p90 {pick(0.9):.2f} ms, p99 {pick(0.99):.2f} ms over {len(ms)} connections")'
stop
