#!/usr/bin/env bash
# Reader throughput with a realistic blog: seeds POSTS demo posts (default 10,000) into a
# fresh database, counts the SQL statements each page costs (sqlx's statement log, an
# anonymous reader, page cache off), then measures requests/s and latency of the home
# page, the blog list and a post page, one after the other in the same run: first as
# deployed (anonymous pages cached for PAGE_CACHE_SECS), then with the cache off (every
# request rendered and queried).
# Usage: scripts/bench-blog.sh [seconds] [posts] [sqlite|postgres]
# (needs a release build: make run or make test)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
duration=${1:-15}
posts=${2:-10000}
engine=${3:-sqlite}
port=3310
base="http://127.0.0.1:$port"
data=$(mktemp -d)
bin="${CARGO_TARGET_DIR:-target}/release/server"
agent="Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[[ -x "$bin" ]] || cargo leptos build --release --precompress

case "$engine" in
  sqlite) database="sqlite://$data/bench.db?mode=rwc" ;;
  postgres)
    admin=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
    db="bench_$(date +%s)"
    psql "$admin" -qc "CREATE DATABASE $db"
    database="${admin%/*}/$db"
    ;;
  *) echo "engine must be sqlite or postgres" >&2; exit 2 ;;
esac

cleanup() {
  kill "${server:-0}" 2>/dev/null || true
  if [[ "$engine" == postgres ]]; then psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$data"
}
trap cleanup EXIT
export LISTEN_ADDR=127.0.0.1:$port DATA_DIR="$data" DATABASE_URL="$database" LEPTOS_SITE_ROOT=target/site
# Background pollers would blur the statement counts.
export MAIL_POLL_SECS=3600 BLOG_SCHEDULER_POLL_SECS=3600

echo "== seeding $posts posts ($engine)"
RUST_LOG=warn "$bin" seed-demo --posts "$posts" --authors 200

start() {
  RUST_LOG=$1 PAGE_CACHE_SECS=$2 "$bin" >"$data/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "$base/health" >/dev/null && break; sleep 0.1; done
}

start "warn,sqlx::query=debug" 0
slug=$(curl -fs "$base/conduit/api/articles?limit=1&sort=hot" | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"][0]["slug"])')
for path in / /blog "/blog/$slug"; do
  curl -fs -o /dev/null -A "$agent" "$base$path"
  sleep 0.5
  before=$(grep -c "sqlx::query" "$data/server.log" || true)
  curl -fs -o /dev/null -A "$agent" "$base$path"
  sleep 0.5
  after=$(grep -c "sqlx::query" "$data/server.log" || true)
  echo "statements for $path: $((after - before)) (a post's view record included)"
done
kill "$server"; wait "$server" 2>/dev/null || true

measure() {
  local label=$1 cache=$2 out home blog post
  start warn "$cache"
  for path in / /blog "/blog/$slug"; do
    echo "== $label: ${duration}s of $path (wrk -t2 -c16)"
    out=$(wrk -t2 -c16 -d"${duration}s" --latency -H "user-agent: $agent" "$base$path")
    echo "$out" | grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx"
    case "$path" in
      /) home=$(echo "$out" | awk '/Requests\/sec/ {print $2}') ;;
      /blog) blog=$(echo "$out" | awk '/Requests\/sec/ {print $2}') ;;
      *) post=$(echo "$out" | awk '/Requests\/sec/ {print $2}') ;;
    esac
  done
  kill "$server"; wait "$server" 2>/dev/null || true
  python3 -c "
home, blog, post = $home, $blog, $post
print(f'$label: post page {post:.0f} req/s = {100 * post / home:.0f}% of the home page ({home:.0f} req/s); blog list {blog:.0f} req/s = {100 * blog / home:.0f}%')"
}
measure "as deployed (page cache 5 s)" 5
measure "page cache off" 0
