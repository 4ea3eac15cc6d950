-- Hoạt động Tuần lễ, lịch công khai, thông báo và hàng đợi thư (version 7, SQLite).
-- Activities, the public calendar, notifications and the e-mail queue.

-- Per-campaign settings of activities: registration deadline, slogans (khẩu hiệu, JSON array).
CREATE TABLE activity_settings (
    campaign_id BIGINT PRIMARY KEY REFERENCES campaign(id),
    registration_deadline TEXT,
    slogans TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Hoạt động: one registered activity of a unit for a campaign.
CREATE TABLE activity (
    id INTEGER PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaign(id),
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    mode TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    address TEXT NOT NULL,
    commune_id BIGINT REFERENCES unit(id),
    area_path TEXT NOT NULL,
    link TEXT NOT NULL,
    audience TEXT NOT NULL,
    organiser TEXT NOT NULL,
    co_organisers TEXT NOT NULL,
    expected_participants BIGINT,
    late_registration BOOLEAN NOT NULL,
    published BOOLEAN NOT NULL,
    result_sessions BIGINT,
    result_participants BIGINT,
    result_note TEXT,
    result_at TEXT,
    created_by BIGINT REFERENCES app_user(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX activity_unit ON activity(campaign_id, unit_id);
CREATE INDEX activity_public ON activity(campaign_id, published, starts_at);
CREATE INDEX activity_area ON activity(area_path);

CREATE TABLE activity_photo (
    id INTEGER PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES activity(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    byte_size BIGINT NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX activity_photo_activity ON activity_photo(activity_id);

-- Thông báo trong ứng dụng.
CREATE TABLE notification (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notification_user ON notification(user_id, read_at);

-- Thư chờ gửi: each e-mail once (dedupe_key), claimed by one instance, retried.
CREATE TABLE email_outbox (
    id INTEGER PRIMARY KEY,
    user_id BIGINT REFERENCES app_user(id),
    to_address TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_by TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX email_outbox_due ON email_outbox(status, next_attempt_at);

-- Nhật ký gửi thư: one row per attempt.
CREATE TABLE email_send (
    id INTEGER PRIMARY KEY,
    email_id BIGINT NOT NULL REFERENCES email_outbox(id),
    attempt BIGINT NOT NULL,
    instance TEXT NOT NULL,
    at TEXT NOT NULL,
    ok BOOLEAN NOT NULL,
    response TEXT NOT NULL
);
CREATE INDEX email_send_email ON email_send(email_id);

-- Lựa chọn nhận thư: absent = enabled.
CREATE TABLE email_preference (
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    kind TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, kind)
);
