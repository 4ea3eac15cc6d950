-- Version 13 (issue 6): what is left of activities and reminders.
-- "Từ hoạt động" marks of a report: the cells the unit filled from its activities, with
-- the value they had then, as `code:column=value,…` (the format of `report.cells`), so
-- that the form still shows, after saving, which figures came from activities and which
-- were changed by hand. Written in the same statement as the report.
ALTER TABLE report ADD COLUMN from_activities TEXT NOT NULL DEFAULT '';
-- Per-campaign deadline for issuing the plan (hạn ban hành kế hoạch) and how many days
-- before a deadline reminders start (empty: the instance's --reminder-days).
ALTER TABLE activity_settings ADD COLUMN plan_deadline TEXT;
ALTER TABLE activity_settings ADD COLUMN reminder_days BIGINT;
