#!/usr/bin/env bash
# Prints the size of every wasm file of the last release build (target/site/pkg): raw,
# gzip and brotli as served (the .gz/.br files `--precompress` wrote), the main module
# first, then the lazy chunks, then the totals. Used to compare the levers of issue 11.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=${1:-target/site/pkg}
size() { [[ -f "$1" ]] && stat -c %s "$1" || echo 0; }
printf '%-44s %10s %10s %10s\n' file raw gzip brotli
raw_total=0 gz_total=0 br_total=0 chunks=0
# The main module is site.wasm in a split build, site_bg.wasm otherwise.
for wasm in $(ls "$pkg"/site.wasm "$pkg"/site_bg.wasm 2>/dev/null) $(ls "$pkg"/*.wasm | grep -Ev '/site(_bg)?\.wasm$' || true); do
  raw=$(size "$wasm") gz=$(size "$wasm.gz") br=$(size "$wasm.br")
  printf '%-44s %10d %10d %10d\n' "$(basename "$wasm")" "$raw" "$gz" "$br"
  raw_total=$((raw_total + raw)) gz_total=$((gz_total + gz)) br_total=$((br_total + br))
  chunks=$((chunks + 1))
done
printf '%-44s %10d %10d %10d\n' "total ($chunks files)" "$raw_total" "$gz_total" "$br_total"
