-- Version 9: a report's values live in `report.cells` only (version 8 copied them there).
-- A report is always read and written whole, and the ~55 rows per report of
-- `report_value` (with their index entries) were most of each submission's writes.
DROP TABLE report_value;
