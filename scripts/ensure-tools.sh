#!/usr/bin/env bash
# Installs what building and testing need, each only when missing: the wasm32 target,
# cargo-leptos, wasm-bindgen-cli at the Cargo.lock version, wasm-opt (binaryen, npm) and,
# with --e2e, Chromium and the end2end npm packages. Safe to run any number of times.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
want_e2e=false
[[ "${1:-}" == "--e2e" ]] && want_e2e=true

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_updated=false
apt_install() {
  if ! $apt_updated; then
    as_root apt-get update -qq
    apt_updated=true
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [[ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 20 minutes, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $bindgen_version" ]]; then
  say "installing wasm-bindgen-cli $bindgen_version (must match Cargo.lock)"
  # --locked can name a dependency version the registry mirror lacks; then let cargo
  # pick the newest compatible one.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --locked --force \
    || cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

if ! command -v npm >/dev/null; then
  say "installing node and npm"
  apt_install nodejs npm
fi

# wasm-opt: binaryen 132 from npm, pinned in .tools/package.json. Debian's binaryen 108
# rewrites wasm-bindgen's externref table into a funcref table and hydration then fails
# in the browser ("WebAssembly.Table.set(): Argument 1 is invalid for table").
stamp=.tools/node_modules/.package-lock.json
if [[ ! -f "$stamp" || .tools/package-lock.json -nt "$stamp" ]]; then
  say "installing binaryen (wasm-opt) into .tools"
  (cd .tools && npm ci --no-audit --no-fund)
fi

if $want_e2e; then
  # schemathesis (PyPI) for the API contract check, in the project's own venv.
  schemathesis_version=4.32.5
  if [[ "$(.tools/venv/bin/st --version 2>/dev/null || true)" != "st, version $schemathesis_version" ]]; then
    say "installing schemathesis $schemathesis_version into .tools/venv"
    command -v python3 >/dev/null || apt_install python3
    python3 -m venv .tools/venv 2>/dev/null || { apt_install python3-venv && python3 -m venv .tools/venv; }
    .tools/venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
  fi
  if [[ ! -x /usr/bin/chromium ]]; then
    say "installing Debian's chromium"
    apt_install chromium
  fi
  # npm ci only when the lock file changed since the last install.
  stamp=end2end/node_modules/.package-lock.json
  if [[ ! -f "$stamp" || end2end/package-lock.json -nt "$stamp" ]]; then
    say "installing end2end npm packages"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
fi
