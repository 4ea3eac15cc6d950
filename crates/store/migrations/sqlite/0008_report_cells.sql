-- Số liệu gốc của báo cáo in one column (version 8): a report's own cells as
-- `code:column=value,…`, written in the same transaction as its `report_value` rows, so
-- that a rebuild of the consolidation reads each report's raw values as one row.
ALTER TABLE report ADD COLUMN cells TEXT NOT NULL DEFAULT '';
UPDATE report SET cells = COALESCE(
    (SELECT group_concat(indicator_code || ':' || column_key || '=' || value, ',')
       FROM report_value v WHERE v.report_id = report.id), '');
