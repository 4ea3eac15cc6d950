-- Plans down the tree (version 6, SQLite): document register and numbering, documents and
-- their versions, recipients, consultation, incoming register, tasks. Never edit once released.

-- Cơ quan ban hành: how a body signs its documents (ký hiệu, header, place).
CREATE TABLE doc_issuer (
    unit_id BIGINT PRIMARY KEY REFERENCES unit(id),
    abbreviation TEXT NOT NULL,
    header_lines TEXT NOT NULL,
    cited_name TEXT NOT NULL,
    place TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Sổ đăng ký: the last number used per unit, series ('out' = văn bản đi, 'in' = văn bản
-- đến) and year. Numbers come from an atomic upsert on this row, so two documents never
-- share one; a new year starts a new row at 1.
CREATE TABLE doc_counter (
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    series TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (unit_id, series, year)
);

-- Văn bản: documents drafted and issued in tuanle, and external ones recorded with their
-- own number and date (external = TRUE, external_key unique per tree).
CREATE TABLE document (
    id INTEGER PRIMARY KEY,
    tree_id BIGINT NOT NULL REFERENCES unit_tree(id),
    campaign_id BIGINT REFERENCES campaign(id),
    kind TEXT NOT NULL,
    external BOOLEAN NOT NULL,
    issuer_unit_id BIGINT REFERENCES unit(id),
    issuer_name TEXT NOT NULL,
    drafting_unit_id BIGINT NOT NULL REFERENCES unit(id),
    related_document_id BIGINT REFERENCES document(id),
    field TEXT,
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    number BIGINT,
    symbol TEXT,
    number_text TEXT,
    year BIGINT,
    issued_on TEXT,
    external_key TEXT UNIQUE,
    signer_authority TEXT NOT NULL,
    signer_on_behalf TEXT NOT NULL,
    signer_title TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    file_name TEXT,
    file_data BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (issuer_unit_id, year, number)
);
CREATE INDEX document_campaign ON document(campaign_id, kind);
CREATE INDEX document_drafting ON document(drafting_unit_id);
CREATE INDEX document_issuer ON document(issuer_unit_id);

-- Every version of a document, kept.
CREATE TABLE document_version (
    document_id BIGINT NOT NULL REFERENCES document(id),
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    recipients TEXT NOT NULL,
    note TEXT NOT NULL,
    username TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (document_id, version)
);

-- Nơi nhận: a unit of the tree, or free text for an outside body.
CREATE TABLE document_recipient (
    document_id BIGINT NOT NULL REFERENCES document(id),
    position BIGINT NOT NULL,
    unit_id BIGINT REFERENCES unit(id),
    label TEXT NOT NULL,
    PRIMARY KEY (document_id, position)
);

-- Góp ý: one consultation on a draft, with the letter that asked for it.
CREATE TABLE consultation (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES document(id),
    letter_id BIGINT REFERENCES document(id),
    document_version BIGINT NOT NULL,
    deadline TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX consultation_open ON consultation(closed_at, deadline);
CREATE INDEX consultation_document ON consultation(document_id);

-- Ý kiến: one row per consulted unit ('pending' until it answers or the deadline passes).
CREATE TABLE consultation_reply (
    consultation_id BIGINT NOT NULL REFERENCES consultation(id),
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    state TEXT NOT NULL,
    comment TEXT NOT NULL,
    file_name TEXT,
    file_data BLOB,
    answered_at TEXT,
    username TEXT,
    PRIMARY KEY (consultation_id, unit_id)
);

-- Sổ văn bản đến: số đến runs per receiving unit per year.
CREATE TABLE incoming (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    document_id BIGINT NOT NULL REFERENCES document(id),
    year BIGINT NOT NULL,
    arrival_number BIGINT NOT NULL,
    arrived_on TEXT NOT NULL,
    handler TEXT NOT NULL,
    passed_on TEXT,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (unit_id, year, arrival_number),
    UNIQUE (unit_id, document_id)
);

-- Nhiệm vụ: one per assigned unit and block of a plan's section III.
CREATE TABLE task (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES document(id),
    block BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    title TEXT NOT NULL,
    deadline TEXT,
    status TEXT NOT NULL,
    progress BIGINT NOT NULL,
    evidence TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    username TEXT,
    UNIQUE (document_id, block, unit_id)
);
CREATE INDEX task_unit ON task(unit_id);
