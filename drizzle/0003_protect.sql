CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`user_id` integer,
	`username` text,
	`action` text NOT NULL,
	`target` text,
	`detail` text DEFAULT '{}' NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `retention_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ran_at` text NOT NULL,
	`user_id` integer,
	`policy_years` integer NOT NULL,
	`cutoff_date` text NOT NULL,
	`client_ids` text NOT NULL,
	`anonymised` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`disabled_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
ALTER TABLE `client_issues` ADD `created_by` integer;--> statement-breakpoint
ALTER TABLE `clients` ADD `created_by` integer;--> statement-breakpoint
ALTER TABLE `clients` ADD `updated_by` integer;--> statement-breakpoint
ALTER TABLE `clients` ADD `erased_at` text;--> statement-breakpoint
ALTER TABLE `contacts` ADD `created_by` integer;--> statement-breakpoint
ALTER TABLE `issue_status_events` ADD `recorded_by` integer;--> statement-breakpoint
-- The audit log is append-only: the app has no way to edit or remove an entry.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log` BEGIN
  SELECT RAISE(ABORT, 'The audit log cannot be changed.');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` BEGIN
  SELECT RAISE(ABORT, 'The audit log cannot be changed.');
END;
