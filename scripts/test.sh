#!/usr/bin/env bash
# Every check, in order of cost: formatting, clippy (server and browser sides), unit and
# integration tests (SQLite always, PostgreSQL when reachable or required), then the
# Playwright suite against a release build. REQUIRE_POSTGRES=1 makes a missing
# PostgreSQL an error instead of a skip (.ci/run sets it), and REQUIRE_S3=1 runs the
# storage tests against a local S3-compatible server too.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/ensure-tools.sh --e2e

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

say "cargo fmt --check"
cargo fmt --all --check

say "clippy: server side (ssr)"
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p server --all-targets -- -D warnings
say "clippy: browser side (hydrate, wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown --all-targets -- -D warnings

export TEST_POSTGRES_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
skip=()
if ! scripts/postgres.sh check; then
  if [[ "${REQUIRE_POSTGRES:-0}" == 1 ]]; then
    scripts/postgres.sh ensure
  else
    skip=(--skip ::postgres)
    say "PostgreSQL is not reachable at $TEST_POSTGRES_URL: SKIPPING the PostgreSQL half of the integration tests"
  fi
fi

# The storage tests also run against a real S3-compatible server (moto) when REQUIRE_S3=1
# (.ci/run sets it); otherwise they say they skipped S3.
if [[ "${REQUIRE_S3:-0}" == 1 ]]; then
  eval "$(scripts/s3.sh start)"
  export TEST_S3_ENDPOINT TEST_S3_BUCKET
  trap 'scripts/s3.sh stop' EXIT
fi

say "unit and integration tests"
cargo test -p app --features ssr
cargo test -p server -- "${skip[@]}"

say "release build (server + wasm, precompressed)"
cargo leptos build --release --precompress

say "API contract: schemathesis over /api/openapi.json"
scripts/schemathesis.sh "${CARGO_TARGET_DIR:-$PWD/target}/release/server"

say "Playwright end-to-end tests"
export E2E_SERVER_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/server"
(cd end2end && npx playwright test)

if [[ ${#skip[@]} -gt 0 ]]; then
  say "NOTE: the PostgreSQL half of the integration tests was skipped (no server at $TEST_POSTGRES_URL)"
fi
