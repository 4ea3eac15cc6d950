#!/usr/bin/env bash
# The national benchmark (docs/benchmarks.md): builds tuanle in release mode, installs
# the DuckDB and openpyxl baselines (PyPI), and runs `tuanle bench` on a fresh SQLite database and on
# a fresh PostgreSQL database. Extra arguments go to `tuanle bench` (e.g. --communes 500).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/tuanle-target}
python3 -c 'import duckdb' 2>/dev/null || python3 -m pip install --quiet duckdb
python3 -c 'import openpyxl' 2>/dev/null || python3 -m pip install --quiet openpyxl
cargo build --release --bin tuanle
BIN="$CARGO_TARGET_DIR/release/tuanle"
OUT=${BENCH_OUT:-target/bench}
mkdir -p "$OUT"
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"

echo "== SQLite"
rm -f "$OUT"/bench.db*
"$BIN" bench --db "sqlite://$OUT/bench.db" --work-dir "$OUT/sqlite" --json "$OUT/sqlite.json" "$@"

if [ "${BENCH_SKIP_POSTGRES:-}" != "1" ]; then
  echo "== PostgreSQL"
  PG=${TUANLE_PG_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
  psql "$PG" -qc "DROP DATABASE IF EXISTS tuanle_bench" >/dev/null
  psql "$PG" -qc "CREATE DATABASE tuanle_bench" >/dev/null
  # The workbook comparison runs once, in the SQLite part, to keep the whole run short.
  "$BIN" bench --db "${PG%/*}/tuanle_bench" --work-dir "$OUT/postgres" --json "$OUT/postgres.json" --no-workbooks "$@"
fi
