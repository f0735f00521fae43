#!/usr/bin/env bash
# Lighthouse 12 (mobile, simulated slow 4G) against a running server, three runs per page;
# prints each run's four category scores and the median performance score per page.
# The server and the pages are the caller's: e.g. `make run`, then
#   scripts/bench-lighthouse.sh http://127.0.0.1:3000/ http://127.0.0.1:3000/blog http://127.0.0.1:3000/blog/some-post
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x end2end/node_modules/.bin/lighthouse ]] || scripts/ensure-tools.sh --e2e
runs=${RUNS:-3}
for url in "$@"; do
  scores=()
  for ((i = 1; i <= runs; i++)); do
    line=$(CHROME_PATH=${CHROMIUM_PATH:-/usr/bin/chromium} end2end/node_modules/.bin/lighthouse "$url" \
      --output=json --quiet --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
      --only-categories=performance,accessibility,best-practices,seo |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);const c=r.categories;const a=r.audits;
        console.log([c.performance,c.accessibility,c["best-practices"],c.seo].map(x=>Math.round(x.score*100)).join(" "),
          a["largest-contentful-paint"].displayValue.replace(/\s/g,""), a["total-byte-weight"].displayValue.replace(/\s/g,""))})')
    echo "$url run $i: performance accessibility best-practices seo LCP bytes = $line"
    scores+=("${line%% *}")
  done
  median=$(printf '%s\n' "${scores[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  echo "$url median performance: $median"
done
