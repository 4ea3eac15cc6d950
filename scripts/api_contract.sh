#!/usr/bin/env bash
# API contract test (issue 7, item 4; docs/security.md, "Kiểm thử theo hợp đồng API"):
# schemathesis fuzzes every operation of /api/openapi.json on a real `tuanle serve --demo`
# on a fresh database, with an admin token (`admin`, whole country), with a reporter token
# (`tanphong`), then as admin with the demo's identifiers in the paths; fails on any 5xx and
# any response that does not match the document (body schema, status code, content type).
#
#   scripts/api_contract.sh [--db sqlite|postgres://…] [--max-examples 25] [--workers 1]
#
# One worker by default: with several, schemathesis builds Hypothesis strategies in threads,
# and CPython 3.11 (this machine's) can then fail inside its own `ast` module ("AST
# constructor recursion depth mismatch", python/cpython#106905) — a "Runtime Error" of the
# tool, not of tuanle: it failed a CI run with 2 workers and one of two trial runs with 4.
#
# TUANLE_BIN: the binary (default: the debug build in $CARGO_TARGET_DIR, built first).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
DB=sqlite
MAX_EXAMPLES=25
WORKERS=1
SCHEMATHESIS_VERSION=4.32.5
while [ $# -gt 0 ]; do
  case $1 in
    --db) DB=$2; shift 2 ;;
    --max-examples) MAX_EXAMPLES=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    *) echo "usage: $0 [--db sqlite|postgres://…] [--max-examples N] [--workers N]" >&2; exit 2 ;;
  esac
done

if ! command -v schemathesis >/dev/null \
  || [ "$(schemathesis --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
  echo "[api_contract] cài schemathesis $SCHEMATHESIS_VERSION từ PyPI..."
  python3 -m pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION" \
    || python3 -m pip install --quiet --break-system-packages "schemathesis==$SCHEMATHESIS_VERSION"
fi

# Without TUANLE_BIN, build the debug binary of this checkout first (up to date).
if [ -z "${TUANLE_BIN:-}" ]; then
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/tuanle-target}
  cargo build --quiet --bin tuanle
fi

# shellcheck source=scripts/lib/server.sh
source "$ROOT/scripts/lib/server.sh"
trap cleanup_server EXIT

fresh_db "$DB" contract
echo "[api_contract] cơ sở dữ liệu: ${DB%%:*}; tuanle: $TUANLE_BIN; $(schemathesis --version)"
start_server --demo

token() {
  curl -fsS -X POST "$BASE_URL/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"demo\"}" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

# Exclusions (docs/security.md): POST /api/v1/me/password — a wrong current password counts
# as a failed login and locks the calling account for 15 minutes after 5 tries (429), so the
# fuzzer would lock the very account it tests with; its contract is covered by
# crates/web/tests/security.rs.
EXCLUDE=(--exclude-path /api/v1/me/password)
CHECKS=not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance

failed=0
total_ops=0
total_cases=0
started=$(date +%s)
# Third pass: admin with the demo's identifiers in the paths (campaign 1, unit 27490), so that
# the operations that otherwise mostly get 404 reach their handlers' logic.
printf '[parameters]\n"path.id" = 1\n"path.code" = "27490"\n' >"$WORK_DIR/demo-ids.toml"
for pass in admin tanphong admin-demo-ids; do
  user=${pass%%-*}
  config=()
  [ "$pass" = admin-demo-ids ] && config=(--config-file "$WORK_DIR/demo-ids.toml")
  report="$WORK_DIR/report-$pass"
  echo "[api_contract] schemathesis ($pass) với token của $user (tối đa $MAX_EXAMPLES ca mỗi thao tác)"
  # From WORK_DIR: schemathesis keeps a crash cache (.schemathesis/) in its working directory;
  # a fresh one each run keeps runs deterministic and the repository clean.
  if ! (cd "$WORK_DIR" && schemathesis "${config[@]}" run "$BASE_URL/api/openapi.json" --url "$BASE_URL" \
    -H "Authorization: Bearer $(token "$user")" \
    --checks "$CHECKS" \
    --phases examples,coverage,fuzzing \
    --max-examples "$MAX_EXAMPLES" --generation-deterministic \
    --workers "$WORKERS" --request-timeout 30 --no-color \
    --report junit --report-junit-path "$report.xml" \
    "${EXCLUDE[@]}") >"$report.txt" 2>&1; then
    failed=1
  fi
  # On failure, the failures and the runtime errors (schemathesis' "ERRORS" section: a request
  # it could not make or a response it could not read) with their reproduction commands.
  if grep -qE '^=+ (FAILURES|ERRORS) =+$|^Error' "$report.txt"; then
    sed -n "/^Error\|= FAILURES =\|= ERRORS =/,/= WARNINGS =\|= SUMMARY =/p" "$report.txt" | head -n 300
  fi
  read -r ops cases < <(python3 - "$report.txt" "$report.xml" <<'PY'
import re, sys, xml.etree.ElementTree as ET
text = open(sys.argv[1]).read()
m = re.search(r"Operations:\s+(\d+) selected", text)
g = re.search(r"(\d+) generated", text)
print(m.group(1) if m else 0, g.group(1) if g else 0)
PY
)
  echo "[api_contract] $pass: $ops thao tác, $cases ca kiểm thử; $(grep -E '^=+ .* in [0-9.]+s =+$' "$report.txt" | tr -d '=' | xargs)"
  total_ops=$ops
  total_cases=$((total_cases + cases))
done
elapsed=$(($(date +%s) - started))

if grep -qE 'panicked' "$WORK_DIR/server.err"; then
  echo "[api_contract] máy chủ bị panic trong lúc kiểm thử:" >&2
  grep -E 'panicked' "$WORK_DIR/server.err" | head -n 20 >&2
  failed=1
fi
echo "[api_contract] tổng: $total_ops thao tác × 3 lần chạy, $total_cases ca kiểm thử, ${elapsed} s"
if [ "$failed" -ne 0 ]; then
  server_log_tail 40
  echo "[api_contract] KHÔNG ĐẠT (failed)" >&2
  exit 1
fi
echo "[api_contract] đạt (passed)"
