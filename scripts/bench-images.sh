#!/usr/bin/env bash
# Image processing time per upload (p50/p99) for a 12-megapixel photo, release build:
#   scripts/bench-images.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release -p app --features ssr --example image_bench -- "${1:-20}"
