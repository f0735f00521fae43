#!/usr/bin/env bash
# Runs the public RealWorld API test suites against /conduit/api, on SQLite and on
# PostgreSQL, and prints passed/failed counts. The suites are not part of this repository
# (fetch them yourself): give the classic Postman collection
# (gothinkster/realworld api/Conduit.postman_collection.json) and the current Bruno
# collection folder (realworld-apps/realworld specs/api/bruno).
#
# A local copy of the Bruno collection is adapted to our account and tag rules, the
# only changes: its fixed passwords (password123, bonjour1, 64 × "a") become strong
# ones, its 17-character run id becomes 8 characters (our usernames are 3–20), and its
# tags d_/t_/h_<id> become d-/t-/h-<id> (our tags are a-z, 0-9 and -).
#
# Usage: scripts/realworld-suites.sh <Conduit.postman_collection.json> <bruno-dir>
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
classic=$(realpath "${1:?the classic Postman collection}")
bruno=$(realpath "${2:?the Bruno collection folder}")
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/server"
[[ -x "$bin" ]] || cargo leptos build --release --precompress
tools="$HOME/.cache/commonplace-realworld"
if [[ ! -x "$tools/node_modules/.bin/newman" || ! -x "$tools/node_modules/.bin/bru" ]]; then
  mkdir -p "$tools"
  (cd "$tools" && npm install --no-audit --no-fund --silent newman@6.2.2 @usebruno/cli@4.1.0)
fi
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

strong='Rw7#kP2q-Zx9mT'
cp -r "$bruno" "$work/bruno"
a64=$(printf 'a%.0s' $(seq 64))
grep -rl . "$work/bruno" | xargs sed -i \
  -e "s/\"password123\"/\"$strong\"/g" \
  -e "s/\"bonjour1\"/\"Bj8%nQ4w-Lv2sY\"/g" \
  -e "s/\"$a64\"/\"Qz7#Lm2-Vx9%Kp4_Rt8@Wn3.Bh6+Dj1#Fs5-Gy0%Hc7_Jv2@Mk9.Np4+Pq8#Sx3-\"/g" \
  -e 's/\b\([dth]\)_\({{uid}}\|" + bru\)/\1-\2/g'
sed -i 's/bru.setVar("uid", Date.now().toString() + Math.random().toString(36).substring(2, 6));/bru.setVar("uid", Date.now().toString(36).slice(-6) + Math.random().toString(36).substring(2, 4));/' \
  "$work/bruno/collection.bru"

port=3390
run_engine() {
  local engine=$1 url=$2
  LISTEN_ADDR=127.0.0.1:$port PUBLIC_URL=http://127.0.0.1:$port DATA_DIR="$work/data-$engine" \
    DATABASE_URL="$url" LEPTOS_SITE_ROOT=target/site RUST_LOG=error LOGIN_REQUIRES_ACTIVATION=false \
    AUTH_RATE_LIMIT_PER_MINUTE=100000 POST_RATE_LIMIT_PER_HOUR=100000 COMMENT_RATE_LIMIT_PER_HOUR=100000 \
    "$bin" &
  server=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  local user="u$(date +%s)"
  "$tools/node_modules/.bin/newman" run "$classic" --color off --disable-unicode --delay-request 50 \
    --global-var "APIURL=http://127.0.0.1:$port/conduit/api" --global-var "USERNAME=$user" \
    --global-var "EMAIL=$user@mail.com" --global-var "PASSWORD=$strong" \
    --reporters json --reporter-json-export "$work/newman-$engine.json" >/dev/null || true
  (cd "$work/bruno" && "$tools/node_modules/.bin/bru" run -r --env local --sandbox safe \
    --env-var "host=http://127.0.0.1:$port/conduit" --reporter-json "$work/bruno-$engine.json" >/dev/null 2>&1) || true
  kill "$server"; wait "$server" 2>/dev/null || true
  python3 - "$engine" "$work/newman-$engine.json" "$work/bruno-$engine.json" <<'EOF'
import json, sys
engine, newman, bruno = sys.argv[1:]
stats = json.load(open(newman))["run"]["stats"]
failures = json.load(open(newman))["run"]["failures"]
r, a = stats["requests"], stats["assertions"]
print(f"{engine}: classic Postman suite: {r['total'] - r['failed']}/{r['total']} requests, "
      f"{a['total'] - a['failed']}/{a['total']} assertions passed")
for f in failures:
    print(f"  FAILED {f['source'].get('name')}: {f['error'].get('test')}: {f['error'].get('message')}")
summary = json.load(open(bruno))[0]["summary"]
print(f"{engine}: current Bruno suite: {summary['passedRequests']}/{summary['totalRequests']} requests passed "
      f"({summary['failedRequests']} failed, {summary['errorRequests']} errors)")
for result in json.load(open(bruno))[0]["results"]:
    if result.get("status") != "pass":
        print(f"  FAILED {result.get('test', {}).get('filename')}: {result.get('error') or result.get('postResponseTestResults')}")
EOF
}

run_engine sqlite "sqlite://$work/realworld.db?mode=rwc"
admin=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
if psql "$admin" -Atqc 'select 1' >/dev/null 2>&1; then
  db="realworld_$(date +%s)"
  psql "$admin" -qc "CREATE DATABASE $db"
  run_engine postgres "${admin%/*}/$db"
  psql "$admin" -qc "DROP DATABASE $db WITH (FORCE)"
else
  echo "postgres: skipped (no server at $admin)"
fi
