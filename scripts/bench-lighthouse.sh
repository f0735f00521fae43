#!/usr/bin/env bash
# Lighthouse 12 (mobile, simulated slow 4G) against a running server, three runs per page;
# prints each run's four category scores and the median performance score per page.
# The server and the pages are the caller's: e.g. `make run`, then
#   scripts/bench-lighthouse.sh http://127.0.0.1:3000/ http://127.0.0.1:3000/blog http://127.0.0.1:3000/blog/some-post
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x end2end/node_modules/.bin/lighthouse ]] || scripts/ensure-tools.sh --e2e
runs=${RUNS:-3}
report=$(mktemp --suffix=.json)
trap 'rm -f "$report"' EXIT
for url in "$@"; do
  scores=()
  for ((i = 1; i <= runs; i++)); do
    # The report goes to a file: piped, lighthouse can exit before its stdout is flushed
    # (the reader then sees JSON cut at 64 KiB).
    CHROME_PATH=${CHROMIUM_PATH:-/usr/bin/chromium} end2end/node_modules/.bin/lighthouse "$url" \
      --output=json --output-path="$report" --quiet --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
      --only-categories=performance,accessibility,best-practices,seo
    line=$(node -e 'const r=require(process.argv[1]);const c=r.categories;const a=r.audits;
        console.log([c.performance,c.accessibility,c["best-practices"],c.seo].map(x=>Math.round(x.score*100)).join(" "),
          a["largest-contentful-paint"].displayValue.replace(/\s/g,""), a["total-byte-weight"].displayValue.replace(/\s/g,""))' "$report")
    echo "$url run $i: performance accessibility best-practices seo LCP bytes = $line"
    scores+=("${line%% *}")
  done
  median=$(printf '%s\n' "${scores[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  echo "$url median performance: $median"
done
