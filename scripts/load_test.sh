#!/usr/bin/env bash
# Bounded load test (issue 7, item 8; docs/security.md, "Kiểm thử tải"):
# a real `tuanle serve` on a fresh database with the demo data plus the 610 units of
# Hà Nội (so that writes spread over many units), then `tuanle load`: N concurrent
# clients for S seconds on loopback, 70 % reads and 30 % writes. Fails on any error.
#
#   scripts/load_test.sh [--db sqlite|postgres://…] [--clients 200] [--seconds 60] [--json FILE]
#
# TUANLE_BIN: the binary (default: the debug build in $CARGO_TARGET_DIR);
# TUANLE_SHARED: the shared data folder (default: ../shared beside the repository).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
DB=sqlite
CLIENTS=200
SECONDS_=60
JSON=
while [ $# -gt 0 ]; do
  case $1 in
    --db) DB=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --seconds) SECONDS_=$2; shift 2 ;;
    --json) JSON=$2; shift 2 ;;
    *) echo "usage: $0 [--db sqlite|postgres://…] [--clients N] [--seconds S] [--json FILE]" >&2; exit 2 ;;
  esac
done

# shellcheck source=scripts/lib/server.sh
source "$ROOT/scripts/lib/server.sh"
trap cleanup_server EXIT

SHARED=${TUANLE_SHARED:-$ROOT/../shared}
UNITS_CSV="$SHARED/data/units/units-2021-11-01.csv"
[ -f "$UNITS_CSV" ] || { echo "thiếu $UNITS_CSV (đặt TUANLE_SHARED)" >&2; exit 1; }

fresh_db "$DB" load
echo "[load_test] cơ sở dữ liệu: ${DB%%:*}; tuanle: $TUANLE_BIN"

# The demo (built by the server on the empty database), then Hà Nội's province, districts
# and communes added to the demo tree by the operator's command, server stopped meanwhile.
start_server --demo
stop_server
awk -F, 'NR == 1 { print; next } { sub(/\r$/, "") }
  ($4 == 1 && $1 == "01") || ($4 == 2 && $5 == "01") { print; if ($4 == 2) d[$1] = 1; next }
  $4 == 3 && ($5 in d) { print }' "$UNITS_CSV" >"$WORK_DIR/hanoi.csv"
"$TUANLE_BIN" --db "$DB_URL" units import --tree "Đơn vị hành chính 2021" "$WORK_DIR/hanoi.csv"

start_server
args=(load --url "$BASE_URL" --clients "$CLIENTS" --seconds "$SECONDS_" --user admin)
[ -n "$JSON" ] && args+=(--json "$JSON")
echo "[load_test] tuanle ${args[*]}"
if ! TUANLE_LOAD_PASSWORD=demo "$TUANLE_BIN" "${args[@]}"; then
  server_log_tail 60
  exit 1
fi
if grep -qE 'ERROR|panicked' "$WORK_DIR/server.err"; then
  echo "[load_test] máy chủ ghi lỗi trong lúc kiểm thử:" >&2
  grep -E 'ERROR|panicked' "$WORK_DIR/server.err" | head -n 20 >&2
  exit 1
fi
echo "[load_test] đạt (passed)"
