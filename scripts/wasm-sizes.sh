#!/usr/bin/env bash
# Prints the size of every wasm file of the last release build (target/site/pkg): raw,
# gzip and brotli as served (the .gz/.br files `--precompress` wrote), then the totals.
# The app is one module, site.wasm; a second file would be an old build's. Used to
# compare the levers of issue 11.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=${1:-target/site/pkg}
size() { [[ -f "$1" ]] && stat -c %s "$1" || echo 0; }
printf '%-44s %10s %10s %10s\n' file raw gzip brotli
raw_total=0 gz_total=0 br_total=0 files=0
for wasm in "$pkg"/*.wasm; do
  [[ -f "$wasm" ]] || continue
  raw=$(size "$wasm") gz=$(size "$wasm.gz") br=$(size "$wasm.br")
  printf '%-44s %10d %10d %10d\n' "$(basename "$wasm")" "$raw" "$gz" "$br"
  raw_total=$((raw_total + raw)) gz_total=$((gz_total + gz)) br_total=$((br_total + br))
  files=$((files + 1))
done
printf '%-44s %10d %10d %10d\n' "total ($files files)" "$raw_total" "$gz_total" "$br_total"
