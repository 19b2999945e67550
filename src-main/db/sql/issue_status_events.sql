-- Status events by status and date, for the bundle's outcomes (src-main/db/bundle/export.ts). Created by
-- migration 0002 beside the reports summary rather than in schema.ts, so it is defined here.
CREATE INDEX `issue_status_events_status_date_idx` ON `issue_status_events` (`status`, `changed_on`, `client_issue_id`);
