CREATE TABLE `import_batches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`imported_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`user_id` integer,
	`sheet` text NOT NULL,
	`file_sha256` text NOT NULL,
	`rows_imported` integer NOT NULL,
	`clients_created` integer NOT NULL,
	`existing_clients` integer NOT NULL,
	`contacts` integer NOT NULL,
	`issues` integer NOT NULL,
	`status_changes` integer NOT NULL,
	`finished_at` text,
	`undone_at` text,
	`undone_by` integer
);
--> statement-breakpoint
ALTER TABLE `clients` ADD `import_batch_id` integer;--> statement-breakpoint
CREATE INDEX `clients_import_batch_idx` ON `clients` (`import_batch_id`);--> statement-breakpoint
ALTER TABLE `contacts` ADD `import_batch_id` integer;--> statement-breakpoint
CREATE INDEX `contacts_import_batch_idx` ON `contacts` (`import_batch_id`);