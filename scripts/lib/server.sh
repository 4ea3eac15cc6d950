# Helpers for scripts that drive a real `tuanle serve` (sourced, not run):
# scripts/load_test.sh and scripts/api_contract.sh.
#
#   fresh_db sqlite|postgres://…   sets DB_URL to a new, empty database
#   start_server [--demo]          starts $TUANLE_BIN serve on DB_URL and a free loopback
#                                  port, waits for /healthz; sets BASE_URL, SERVER_PID
#   stop_server                    SIGTERM (SIGKILL after 10 s), waits
#   cleanup_server                 stop_server + drop the database + remove WORK_DIR
#
# The caller sets TUANLE_BIN (default: the debug build) and traps EXIT to cleanup_server.

: "${CARGO_TARGET_DIR:=$HOME/.cache/tuanle-target}"
: "${TUANLE_BIN:=$CARGO_TARGET_DIR/debug/tuanle}"
WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tuanle-server-XXXXXX")
SERVER_PID=
PG_DB=
PG_ADMIN_URL=
DB_URL=
BASE_URL=

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# fresh_db KIND NAME: KIND is "sqlite" or a PostgreSQL URL whose server gets a new database.
fresh_db() {
  local kind=$1 name=$2
  if [[ $kind == postgres* ]]; then
    PG_ADMIN_URL=$kind
    PG_DB="tuanle_t_${name}_$$_$RANDOM"
    psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $PG_DB" >/dev/null
    DB_URL=$(python3 -c 'import sys, urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/"+sys.argv[2])))' "$PG_ADMIN_URL" "$PG_DB")
  else
    DB_URL="sqlite://$WORK_DIR/tuanle.db"
  fi
}

start_server() {
  [ -x "$TUANLE_BIN" ] || { echo "không có $TUANLE_BIN (cargo build --bin tuanle)" >&2; return 1; }
  local port
  port=$(free_port)
  BASE_URL="http://127.0.0.1:$port"
  RUST_LOG=${RUST_LOG:-warn} "$TUANLE_BIN" serve --db "$DB_URL" --addr "127.0.0.1:$port" "$@" \
    >>"$WORK_DIR/server.out" 2>>"$WORK_DIR/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null "$BASE_URL/healthz" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "tuanle serve đã dừng trước khi sẵn sàng:" >&2
      tail -n 40 "$WORK_DIR/server.err" >&2
      SERVER_PID=
      return 1
    fi
    sleep 0.1
  done
  echo "tuanle serve không trả lời /healthz sau 60 s" >&2
  return 1
}

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}

# Prints the server's stderr (tail) when the caller failed.
server_log_tail() {
  if [ -s "$WORK_DIR/server.err" ]; then
    echo "--- tuanle serve stderr (tail) ---" >&2
    tail -n "${1:-40}" "$WORK_DIR/server.err" >&2
  fi
}

cleanup_server() {
  stop_server
  if [ -n "$PG_DB" ]; then
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
  fi
  [ -n "${KEEP_WORK_DIR:-}" ] && echo "[server] giữ $WORK_DIR" >&2 || rm -rf "$WORK_DIR"
}
