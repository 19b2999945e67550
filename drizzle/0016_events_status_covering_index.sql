DROP INDEX `issue_status_events_issue_idx`;--> statement-breakpoint
CREATE INDEX `issue_status_events_issue_idx` ON `issue_status_events` (`client_issue_id`,`changed_on`,`id`,`status`);