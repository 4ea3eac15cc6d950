-- Phiên và đặt lại mật khẩu (version 11, sqlite): idle expiry of web sessions, password reset
-- by e-mail link, rate limiting of reset requests, and an index for pruning login failures.

-- Lần cuối phiên được dùng: updated at most once a minute per session (idle timeout).
ALTER TABLE auth_session ADD COLUMN last_seen_at TEXT NOT NULL DEFAULT '';
UPDATE auth_session SET last_seen_at = created_at;

-- Liên kết đặt lại mật khẩu: only the SHA-256 of the token sent by e-mail is stored; single
-- use (used_at), valid until expires_at; a new request removes the user's older unused ones.
CREATE TABLE password_reset (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    ip TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX password_reset_user ON password_reset (user_id);

-- Yêu cầu đặt lại mật khẩu: one accepted request, counted per typed name/e-mail and per
-- address within the hour.
CREATE TABLE password_reset_request (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX password_reset_request_key ON password_reset_request (key, at);
CREATE INDEX password_reset_request_ip ON password_reset_request (ip, at);

-- Pruning failed sign-ins older than the window.
CREATE INDEX login_failure_at ON login_failure (at);
