-- Nhật ký thay đổi chỉ được ghi thêm: the product never edits or deletes an audit row,
-- and the database refuses it too, whoever asks (UPDATE, DELETE and TRUNCATE).
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Nhật ký thay đổi chỉ được ghi thêm: không được % dòng nhật ký', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- The filters of the audit trail page (time range, user, action).
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_username ON audit_log(username, id);
CREATE INDEX audit_log_action ON audit_log(action, id);
DROP INDEX audit_log_unit;
CREATE INDEX audit_log_unit_id ON audit_log(unit_id, id);
