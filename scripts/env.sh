# Sourced by the scripts: puts the project's own build tools (.tools, installed by
# ensure-tools.sh) ahead of system ones, so cargo-leptos finds the right wasm-opt.
export PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/node_modules/.bin:$PATH"
