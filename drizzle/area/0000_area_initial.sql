CREATE TABLE `area_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`date` text NOT NULL,
	`title` text NOT NULL,
	`sectors` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `bundle_cells` (
	`bundle_id` integer NOT NULL,
	`table_id` text NOT NULL,
	`k1` text NOT NULL,
	`k2` text NOT NULL,
	`k3` text NOT NULL,
	`people` integer,
	`people_suppressed` integer NOT NULL,
	`presentations` integer,
	`presentations_suppressed` integer NOT NULL,
	FOREIGN KEY (`bundle_id`) REFERENCES `imported_bundles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `bundle_cells_bundle` ON `bundle_cells` (`bundle_id`);--> statement-breakpoint
CREATE TABLE `bundle_sectors` (
	`bundle_id` integer NOT NULL,
	`sector` text NOT NULL,
	PRIMARY KEY(`bundle_id`, `sector`),
	FOREIGN KEY (`bundle_id`) REFERENCES `imported_bundles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `combined_cells` (
	`table_id` text NOT NULL,
	`k1` text NOT NULL,
	`k2` text NOT NULL,
	`k3` text NOT NULL,
	`people` integer NOT NULL,
	`people_suppressed` integer NOT NULL,
	`presentations` integer NOT NULL,
	`presentations_suppressed` integer NOT NULL,
	`organisations` integer NOT NULL,
	PRIMARY KEY(`table_id`, `k1`, `k2`, `k3`)
);
--> statement-breakpoint
CREATE INDEX `combined_cells_month` ON `combined_cells` (`table_id`,`k2`);--> statement-breakpoint
CREATE TABLE `import_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`file_name` text NOT NULL,
	`outcome` text NOT NULL,
	`reason_code` text,
	`message` text NOT NULL,
	`bundle_id` integer,
	`at` text NOT NULL,
	FOREIGN KEY (`bundle_id`) REFERENCES `imported_bundles`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `imported_bundles` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organisation_id` text NOT NULL,
	`organisation_name` text NOT NULL,
	`fingerprint` text NOT NULL,
	`sequence` integer NOT NULL,
	`from_month` text NOT NULL,
	`to_month` text NOT NULL,
	`month_count` integer NOT NULL,
	`schema` text NOT NULL,
	`taxonomy_version` text NOT NULL,
	`disclosure_policy` text NOT NULL,
	`created_at` text NOT NULL,
	`file_name` text NOT NULL,
	`payload_sha256` text NOT NULL,
	`linkage_key_id` text,
	`imported_at` text NOT NULL,
	`superseded_by` integer,
	FOREIGN KEY (`superseded_by`) REFERENCES `imported_bundles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `imported_bundles_org` ON `imported_bundles` (`organisation_id`,`from_month`);--> statement-breakpoint
CREATE INDEX `imported_bundles_active` ON `imported_bundles` (`superseded_by`);--> statement-breakpoint
CREATE TABLE `match_keys` (
	`bundle_id` integer NOT NULL,
	`row` integer NOT NULL,
	`quarter` text NOT NULL,
	`district` text NOT NULL,
	`key_type` text NOT NULL,
	`key_value` text NOT NULL,
	FOREIGN KEY (`bundle_id`) REFERENCES `imported_bundles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `match_keys_bundle` ON `match_keys` (`bundle_id`);--> statement-breakpoint
CREATE INDEX `match_keys_cell` ON `match_keys` (`district`,`quarter`);--> statement-breakpoint
CREATE TABLE `trusted_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`fingerprint` text NOT NULL,
	`public_key_pem` text,
	`organisation_id` text,
	`added_at` text NOT NULL,
	`revoked_at` text,
	`revoked_reason` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trusted_keys_fingerprint_unique` ON `trusted_keys` (`fingerprint`);