-- Giới hạn đăng nhập (version 10, sqlite): failed sign-ins and temporary lock-outs, kept in
-- the database so that every app instance sharing it applies the same limits.

-- Lần đăng nhập sai: one failed sign-in (web form or API token).
CREATE TABLE login_failure (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failure_username ON login_failure (username, at);
CREATE INDEX login_failure_ip ON login_failure (ip, at);

-- Khóa tạm: a username (scope 'user') or client address (scope 'ip') refused until locked_until.
CREATE TABLE login_lock (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    locked_until TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
