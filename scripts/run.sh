#!/usr/bin/env bash
# Builds the release site and serves it at http://127.0.0.1:3000 on SQLite under data/
# (created with its migrations on first start). Environment variables and .env override.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/ensure-tools.sh
exec cargo leptos serve --release --precompress
