-- Nhật ký thay đổi chỉ được ghi thêm: the product never edits or deletes an audit row,
-- and the database refuses it too, whoever asks.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'Nhật ký thay đổi chỉ được ghi thêm: không sửa được dòng nhật ký');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'Nhật ký thay đổi chỉ được ghi thêm: không xóa được dòng nhật ký');
END;

-- The filters of the audit trail page (time range, user, action).
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_username ON audit_log(username, id);
CREATE INDEX audit_log_action ON audit_log(action, id);
DROP INDEX audit_log_unit;
CREATE INDEX audit_log_unit_id ON audit_log(unit_id, id);
