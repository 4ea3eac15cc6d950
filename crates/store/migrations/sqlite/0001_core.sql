-- tuanle core schema, version 1 (SQLite). Never edit once released: add a new migration.

-- Cây đơn vị: a versioned tree of org units.
CREATE TABLE unit_tree (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    effective_date TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Đơn vị: administrative units and the bodies under them.
CREATE TABLE unit (
    id INTEGER PRIMARY KEY,
    tree_id BIGINT NOT NULL REFERENCES unit_tree(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    unit_type TEXT NOT NULL,
    depth BIGINT NOT NULL,
    admin_level BIGINT NOT NULL,
    parent_id BIGINT REFERENCES unit(id),
    path TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (tree_id, code)
);
CREATE INDEX unit_parent ON unit(parent_id);
CREATE INDEX unit_path ON unit(tree_id, path);

-- Mẫu tổng hợp: the template as imported, and its rows in columns.
CREATE TABLE indicator_template (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (code, version)
);
CREATE TABLE template_indicator (
    template_id BIGINT NOT NULL REFERENCES indicator_template(id),
    position BIGINT NOT NULL,
    code TEXT NOT NULL,
    stt TEXT NOT NULL,
    label TEXT NOT NULL,
    unit_of_measure TEXT NOT NULL,
    columns TEXT NOT NULL,
    parent_code TEXT,
    kind TEXT NOT NULL,
    total_of TEXT,
    money BOOLEAN NOT NULL,
    PRIMARY KEY (template_id, code)
);

-- Tuần lễ: a campaign.
CREATE TABLE campaign (
    id INTEGER PRIMARY KEY,
    year BIGINT NOT NULL,
    name TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    tree_id BIGINT NOT NULL REFERENCES unit_tree(id),
    template_id BIGINT NOT NULL REFERENCES indicator_template(id),
    created_at TEXT NOT NULL
);
CREATE TABLE campaign_theme (
    campaign_id BIGINT NOT NULL REFERENCES campaign(id),
    position BIGINT NOT NULL,
    theme TEXT NOT NULL,
    PRIMARY KEY (campaign_id, position)
);
CREATE TABLE campaign_required_type (
    campaign_id BIGINT NOT NULL REFERENCES campaign(id),
    unit_type TEXT NOT NULL,
    PRIMARY KEY (campaign_id, unit_type)
);
CREATE TABLE campaign_deadline (
    campaign_id BIGINT NOT NULL REFERENCES campaign(id),
    admin_level BIGINT NOT NULL,
    deadline TEXT NOT NULL,
    PRIMARY KEY (campaign_id, admin_level)
);

-- Người dùng.
CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    email TEXT,
    password_hash TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    role TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TEXT NOT NULL
);

-- Phiên đăng nhập (web) and API tokens; only the SHA-256 of the secret is stored.
CREATE TABLE auth_session (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    kind TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX auth_session_user ON auth_session(user_id);

-- Báo cáo kết quả.
CREATE TABLE report (
    id INTEGER PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaign(id),
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    s1_1 TEXT NOT NULL,
    s1_2 TEXT NOT NULL,
    s1_3 TEXT NOT NULL,
    s1_4 TEXT NOT NULL,
    s2_1 TEXT NOT NULL,
    s2_2 TEXT NOT NULL,
    s2_3 TEXT NOT NULL,
    first_submitted_at TEXT,
    submitted_at TEXT,
    late BOOLEAN NOT NULL,
    reviewed_at TEXT,
    reviewed_by BIGINT REFERENCES app_user(id),
    review_comment TEXT,
    entered_by BIGINT REFERENCES app_user(id),
    entered_on_behalf BOOLEAN NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by BIGINT REFERENCES app_user(id),
    UNIQUE (campaign_id, unit_id)
);
CREATE INDEX report_unit ON report(unit_id);

-- Số liệu: one row per report and template row.
CREATE TABLE report_value (
    report_id BIGINT NOT NULL REFERENCES report(id),
    indicator_code TEXT NOT NULL,
    column_key TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (report_id, indicator_code, column_key)
);
CREATE TABLE report_note (
    report_id BIGINT NOT NULL REFERENCES report(id),
    indicator_code TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (report_id, indicator_code)
);
-- Giải trình: the explanation given for a warning.
CREATE TABLE report_explanation (
    report_id BIGINT NOT NULL REFERENCES report(id),
    warning_key TEXT NOT NULL,
    explanation TEXT NOT NULL,
    PRIMARY KEY (report_id, warning_key)
);
-- Lịch sử: a full snapshot of the report after every change.
CREATE TABLE report_history (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES report(id),
    version BIGINT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    content TEXT NOT NULL,
    comment TEXT,
    user_id BIGINT REFERENCES app_user(id),
    at TEXT NOT NULL
);
CREATE INDEX report_history_report ON report_history(report_id);
-- Ảnh hoạt động.
CREATE TABLE report_photo (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES report(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    byte_size BIGINT NOT NULL,
    data BLOB NOT NULL,
    caption TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES app_user(id),
    created_at TEXT NOT NULL
);
CREATE INDEX report_photo_report ON report_photo(report_id);

-- Tổng hợp: running sums per unit, campaign and basis (a rebuildable cache of
-- report_value; `figures` is a JSON array in template slot order). The sums of the
-- busiest rows (the nation, the provinces) are split over shards so that concurrent
-- submissions do not all wait on one row; a unit's sum is the sum of its shards.
CREATE TABLE consolidation (
    campaign_id BIGINT NOT NULL REFERENCES campaign(id),
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    basis TEXT NOT NULL,
    shard BIGINT NOT NULL,
    reports BIGINT NOT NULL,
    late BIGINT NOT NULL,
    figures TEXT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, basis, shard)
);

-- Nhật ký: one row per change, written in the change's transaction.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id BIGINT,
    username TEXT,
    ip TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    unit_id BIGINT,
    before_state TEXT,
    after_state TEXT
);
CREATE INDEX audit_log_unit ON audit_log(unit_id);
CREATE INDEX audit_log_object ON audit_log(object_type, object_id);
