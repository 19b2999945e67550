ALTER TABLE `clients` ADD `lsoa21` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `local_authority_code` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `local_authority_name` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `geo_source` text;