CREATE TABLE `client_issues` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`client_id` integer NOT NULL,
	`contact_id` integer NOT NULL,
	`issue_code` text NOT NULL,
	`within_remit` integer NOT NULL,
	`referred_to` text,
	`status` text NOT NULL,
	`identified_on` text NOT NULL,
	`status_changed_on` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `client_issues_client_idx` ON `client_issues` (`client_id`);--> statement-breakpoint
CREATE INDEX `client_issues_code_date_idx` ON `client_issues` (`issue_code`,`identified_on`);--> statement-breakpoint
CREATE INDEX `client_issues_date_idx` ON `client_issues` (`identified_on`);--> statement-breakpoint
CREATE TABLE `clients` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text NOT NULL,
	`date_of_birth` text NOT NULL,
	`postcode` text,
	`postcode_sector` text,
	`postcode_district` text,
	`lsoa` text,
	`imd_decile` integer,
	`imd_rank` integer,
	`imd_edition` text,
	`geo_reason` text,
	`external_id_type` text,
	`external_id` text,
	`phone` text,
	`email` text,
	`preferred_contact` text DEFAULT 'none' NOT NULL,
	`consent_to_record` integer NOT NULL,
	`consent_date` text NOT NULL,
	`record_key` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `clients_dob_idx` ON `clients` (`date_of_birth`);--> statement-breakpoint
CREATE INDEX `clients_last_name_idx` ON `clients` (`last_name`);--> statement-breakpoint
CREATE INDEX `clients_postcode_idx` ON `clients` (`postcode`);--> statement-breakpoint
CREATE INDEX `clients_external_id_idx` ON `clients` (`external_id`);--> statement-breakpoint
CREATE INDEX `clients_sector_idx` ON `clients` (`postcode_sector`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`client_id` integer NOT NULL,
	`contact_date` text NOT NULL,
	`kind` text NOT NULL,
	`staff_name` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `contacts_client_idx` ON `contacts` (`client_id`,`contact_date`);--> statement-breakpoint
CREATE INDEX `contacts_date_idx` ON `contacts` (`contact_date`);--> statement-breakpoint
CREATE TABLE `issue_status_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`client_issue_id` integer NOT NULL,
	`status` text NOT NULL,
	`changed_on` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`recorded_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`client_issue_id`) REFERENCES `client_issues`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `issue_status_events_issue_idx` ON `issue_status_events` (`client_issue_id`,`changed_on`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
