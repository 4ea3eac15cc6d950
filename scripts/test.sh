#!/usr/bin/env bash
# Runs every test of the project: Rust tests (cargo nextest), then the
# browser end-to-end tests (node --test + playwright-core + Debian Chromium),
# each on SQLite and on PostgreSQL (started or installed here when missing).
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

# Real readers for what tuanle writes: LibreOffice (xlsx/docx → csv/pdf), pdftotext/pdftoppm
# (poppler), openpyxl and python-docx. Tests call them and fail when they are missing.
if ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null; then
  echo "Installing LibreOffice and poppler-utils from Debian..."
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y \
    libreoffice-calc libreoffice-writer poppler-utils
fi
if ! python3 -c 'import openpyxl, docx' 2>/dev/null; then
  echo "Installing openpyxl and python-docx from PyPI..."
  python3 -m pip install --quiet openpyxl python-docx \
    || python3 -m pip install --quiet --break-system-packages openpyxl python-docx
fi
echo "soffice: $(soffice --version 2>/dev/null | head -n 1)"
echo "pdftotext: $(pdftotext -v 2>&1 | head -n 1)"
python3 -c 'import openpyxl, docx; print("openpyxl", openpyxl.__version__, "/ python-docx ok")'
# iCalendar parser and SMTP server for the activities/notifications tests (tests/readers/ical_read.py, smtp_sink.py).
if ! python3 -c 'import icalendar, aiosmtpd' 2>/dev/null; then
  echo "Installing icalendar and aiosmtpd from PyPI..."
  python3 -m pip install --quiet icalendar aiosmtpd \
    || python3 -m pip install --quiet --break-system-packages icalendar aiosmtpd
fi

# pg_dump/pg_restore for `tuanle backup`/`restore` on PostgreSQL (crates/cli/tests/backup.rs).
if ! command -v pg_dump >/dev/null || ! command -v pg_restore >/dev/null; then
  echo "Installing postgresql-client from Debian..."
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-client
fi
echo "pg_dump: $(pg_dump --version)"

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "Installing cargo-nextest..."
  cargo install cargo-nextest --locked || echo "cargo-nextest could not be installed; falling back to cargo test" >&2
fi

section "PostgreSQL"
# Every test runs on SQLite and on PostgreSQL. Use the server on 127.0.0.1:5432 if one
# answers; otherwise install Debian's PostgreSQL and start it.
export TUANLE_PG_URL=${TUANLE_PG_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "Installing PostgreSQL from Debian..."
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "Starting PostgreSQL $version..."
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
if ! psql "$TUANLE_PG_URL" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  echo "Setting the password of role postgres for password authentication..."
  as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
fi
psql "$TUANLE_PG_URL" -Atqc 'SELECT version()'
# Remove test databases left by earlier runs.
for db in $(psql "$TUANLE_PG_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'tuanle_t_%'"); do
  psql "$TUANLE_PG_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 \
    || echo "left $db (in use by another test run)"
done

run_rust_tests() {
  if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --no-fail-fast
  else
    cargo test --workspace --no-fail-fast
  fi
}

section "Rust tests on SQLite"
TUANLE_TEST_DB=sqlite run_rust_tests

section "Rust tests on PostgreSQL"
TUANLE_TEST_DB=$TUANLE_PG_URL run_rust_tests

section "Build tuanle (debug)"
cargo build --bin tuanle
export TUANLE_BIN="$CARGO_TARGET_DIR/debug/tuanle"
echo "TUANLE_BIN=$TUANLE_BIN"

section "API contract (schemathesis) on SQLite then PostgreSQL (scripts/api_contract.sh)"
bash scripts/api_contract.sh --db sqlite
bash scripts/api_contract.sh --db "$TUANLE_PG_URL"

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
echo "--- on SQLite"
TUANLE_E2E_DB=sqlite node --test "${e2e_tests[@]}"
echo "--- on PostgreSQL"
TUANLE_E2E_DB=$TUANLE_PG_URL node --test "${e2e_tests[@]}"

section "Load test: 200 clients, 15 s, on SQLite then PostgreSQL (scripts/load_test.sh)"
bash scripts/load_test.sh --db sqlite --clients 200 --seconds 15
bash scripts/load_test.sh --db "$TUANLE_PG_URL" --clients 200 --seconds 15

section "Fuzz: workbook, units CSV/GSO, JSON API bodies, 20 s each (scripts/fuzz.sh)"
bash scripts/fuzz.sh --seconds 20

section "All tests passed"
