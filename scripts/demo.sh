#!/usr/bin/env bash
# Builds tuanle (release) and runs it with the demo data on ./tuanle-demo.db.
# Extra arguments are passed to `tuanle serve`, e.g.: scripts/demo.sh --addr 0.0.0.0:8080
# Demo accounts (password "demo"): admin, hcm, quan7, tanphong.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/tuanle-target}

cargo build --release --bin tuanle
exec "$CARGO_TARGET_DIR/release/tuanle" serve --demo --db sqlite://tuanle-demo.db "$@"
