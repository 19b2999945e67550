CREATE TABLE `area_services` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`opened_on` text NOT NULL,
	`sectors` text NOT NULL,
	`issues` text NOT NULL,
	`organisation_id` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) NOT NULL
);
