CREATE TABLE `bundle_exports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`sequence` integer NOT NULL,
	`from_month` text NOT NULL,
	`to_month` text NOT NULL,
	`created_at` text NOT NULL,
	`fingerprint` text NOT NULL,
	`policy` text NOT NULL,
	`payload_sha256` text NOT NULL,
	`byte_size` integer NOT NULL,
	`file` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bundle_exports_sequence_unique` ON `bundle_exports` (`sequence`);--> statement-breakpoint
CREATE TABLE `signing_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`fingerprint` text NOT NULL,
	`public_key_pem` text NOT NULL,
	`protection` text NOT NULL,
	`private_key_sealed` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`retired_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `signing_keys_fingerprint_unique` ON `signing_keys` (`fingerprint`);