#!/usr/bin/env bash
# Runs every test of the project: Rust tests (cargo nextest), then the
# browser end-to-end tests (node --test + playwright-core + Debian Chromium).
# Installs what is missing, so it works on a fresh Debian 12 machine; safe to re-run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/tuanle-target}
CHROMIUM=/usr/bin/chromium

section() {
  printf '\n==================== %s ====================\n' "$*"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

section "Prerequisites"
echo "repo:             $ROOT"
echo "CARGO_TARGET_DIR: $CARGO_TARGET_DIR"

if [ ! -x "$CHROMIUM" ]; then
  echo "Installing chromium from Debian..."
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"

command -v node >/dev/null || { echo "node is required (Node 20+)" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }
echo "node: $(node --version)  npm: $(npm --version)"

# (Re)install the e2e node modules only when missing or older than the lockfile.
E2E=tests/e2e
if [ ! -f "$E2E/node_modules/.package-lock.json" ] \
  || [ "$E2E/package-lock.json" -nt "$E2E/node_modules/.package-lock.json" ]; then
  echo "Installing e2e node modules (npm ci)..."
  (cd "$E2E" && npm ci --no-audit --no-fund)
else
  echo "e2e node modules: up to date"
fi

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "Installing cargo-nextest..."
  cargo install cargo-nextest --locked || echo "cargo-nextest could not be installed; falling back to cargo test" >&2
fi

section "Rust tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi

section "Build tuanle (debug)"
cargo build --bin tuanle
export TUANLE_BIN="$CARGO_TARGET_DIR/debug/tuanle"
echo "TUANLE_BIN=$TUANLE_BIN"

section "Browser end-to-end tests"
shopt -s nullglob
e2e_tests=("$E2E"/*.test.mjs)
shopt -u nullglob
if [ ${#e2e_tests[@]} -eq 0 ]; then
  echo "no e2e tests found in $E2E" >&2
  exit 1
fi
# Explicit files (not the directory) so this also works with Node >= 22,
# where `node --test` arguments are glob patterns.
node --test "${e2e_tests[@]}"

section "All tests passed"
