#!/usr/bin/env bash
# The API contract check: schemathesis (PyPI, pinned in ensure-tools.sh) generates
# property-based requests from /api/openapi.json against a fresh server and runs every
# check it has (status codes, content types, headers, response schemas, that bad input is
# refused and good input accepted, ...). It runs twice: anonymous, then signed in as an
# ordinary user with an API token, so the protected operations are exercised too.
# Any finding fails the run. Usage: scripts/schemathesis.sh <server binary> [seconds per run]
set -euo pipefail
cd "$(dirname "$0")/.."
server_bin=${1:?usage: scripts/schemathesis.sh <server binary> [seconds per run]}
budget=${2:-90}
st=.tools/venv/bin/st
[[ -x $st ]] || scripts/ensure-tools.sh --e2e

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
data=$(mktemp -d)
APP_ENV=development LISTEN_ADDR="127.0.0.1:$port" PUBLIC_URL="$base" DATA_DIR="$data" \
  LEPTOS_SITE_ROOT="$data/site" RUST_LOG=error \
  AUTH_RATE_LIMIT_PER_MINUTE=100000 EMAIL_RATE_LIMIT_PER_HOUR=1000 \
  COMMENT_RATE_LIMIT_PER_HOUR=100000 POST_RATE_LIMIT_PER_HOUR=100000 \
  "$server_bin" >"$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do curl -fs "$base/health" >/dev/null && break; sleep 0.1; done
curl -fs "$base/health" >/dev/null || { cat "$data/server.log"; echo "the server did not start" >&2; exit 1; }

# An ordinary, activated account and its API token.
password='Plum-Orbit-Lantern-42!'
curl -fs -o /dev/null "$base/api/auth/register" -H 'content-type: application/json' \
  -d "{\"username\":\"contract\",\"email\":\"contract@example.com\",\"password\":\"$password\"}"
token=$(curl -fs -X POST "$base/fn/dev/outbox" -H 'accept: application/json' | python3 -c '
import json, re, sys
mail = next(m for m in json.load(sys.stdin) if m["recipient"] == "contract@example.com")
print(re.search(r"/activate\?token=(\S+)", mail["body"]).group(1))')
curl -fs -o /dev/null "$base/fn/accounts/activate" -H 'accept: application/json' --data-urlencode "token=$token"
api_token=$(curl -fs "$base/api/auth/token" -H 'content-type: application/json' \
  -d "{\"username_or_email\":\"contract\",\"password\":\"$password\"}" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

run() {
  "$st" --config-file scripts/schemathesis.toml run "$base/api/openapi.json" \
    --checks all --workers 1 --max-time "$budget" --seed 20261124 --warnings off "$@"
}
echo "==> schemathesis, anonymous"
run
echo "==> schemathesis, signed in with an API token"
run -H "Authorization: Token $api_token"
