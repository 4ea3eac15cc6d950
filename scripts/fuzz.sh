#!/usr/bin/env bash
# Fuzzing of the importers (issue 7 item 3; docs/security.md, "Fuzz"): the cargo-fuzz
# targets in fuzz/ (workbook importer, units CSV / GSO and bodies importer, JSON API
# bodies), each for a bounded time, from the seed corpus. Fails on any crash, leaving the
# input under $FUZZ_DIR/artifacts/<target>/ (turn it into a regression test).
#
#   scripts/fuzz.sh [--seconds 30] [--target workbook|units_csv|api_json]...
#
# Builds on the stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags, and
# `-s none` uses libFuzzer's coverage without a sanitizer (Rust code is memory-safe; the
# C parts of the dependencies are not fuzzed here). TUANLE_BIN (default: the debug build)
# exports the workbook seeds from a demo database.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
SECONDS_=30
TARGETS=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECONDS_=$2; shift 2 ;;
    --target) TARGETS+=("$2"); shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--target NAME]..." >&2; exit 2 ;;
  esac
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(workbook units_csv api_json)

FUZZ_DIR=${FUZZ_DIR:-$HOME/.cache/tuanle-fuzz}
FUZZ_TARGET_DIR=${FUZZ_TARGET_DIR:-$FUZZ_DIR/target}
mkdir -p "$FUZZ_DIR"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "[fuzz] cài cargo-fuzz (crates.io)..."
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1

# Workbook seeds: real report workbooks of the current layout, blank and prefilled.
# shellcheck source=scripts/lib/server.sh
source "$ROOT/scripts/lib/server.sh"
trap cleanup_server EXIT
SEEDS="$WORK_DIR/seeds"
mkdir -p "$SEEDS/workbook"
cp -r fuzz/corpus-seed/units_csv fuzz/corpus-seed/api_json "$SEEDS/"
if [[ " ${TARGETS[*]} " == *" workbook "* ]]; then
  fresh_db sqlite fuzz
  start_server --demo
  stop_server
  for unit in 27490 778; do
    "$TUANLE_BIN" --db "$DB_URL" reports export --campaign 1 --unit "$unit" \
      -o "$SEEDS/workbook/$unit-prefilled.xlsx" >/dev/null
    "$TUANLE_BIN" --db "$DB_URL" reports export --campaign 1 --unit "$unit" --blank \
      -o "$SEEDS/workbook/$unit-blank.xlsx" >/dev/null
  done
  # Every crash found so far stays in the corpus.
  cp crates/sheets/tests/fuzz-crashes/*.xlsx "$SEEDS/workbook/" 2>/dev/null || true
fi

echo "[fuzz] xây dựng các đích fuzz (cargo fuzz build -s none)..."
cargo fuzz build -s none --target-dir "$FUZZ_TARGET_DIR"
# The targets run straight from the build: `cargo fuzz run` would build them again with
# other settings.
BIN_DIR="$FUZZ_TARGET_DIR/$(rustc -vV | sed -n 's/^host: //p')/release"
TOTAL=0
for target in "${TARGETS[@]}"; do
  corpus="$FUZZ_DIR/corpus/$target"
  artifacts="$FUZZ_DIR/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  log="$WORK_DIR/$target.log"
  echo "[fuzz] $target: ${SECONDS_} s"
  if ! "$BIN_DIR/$target" "$corpus" "$SEEDS/$target" \
      -max_total_time="$SECONDS_" -print_final_stats=1 -rss_limit_mb=2048 -timeout=20 \
      -max_len=1048576 -artifact_prefix="$artifacts/" >"$log" 2>&1; then
    echo "[fuzz] $target: LỖI — đầu vào gây lỗi ở $artifacts/" >&2
    grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -n 20 >&2 || true
    tail -n 30 "$log" >&2
    exit 1
  fi
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -n 1)
  cov=$(grep -Eo 'cov: *[0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0)
  echo "[fuzz] $target: ${runs:-0} lần chạy, độ phủ $cov cạnh, không lỗi"
  TOTAL=$((TOTAL + ${runs:-0}))
done
echo "[fuzz] tổng: $TOTAL lần chạy, ${#TARGETS[@]} đích, ${SECONDS_} s mỗi đích, không lỗi"
