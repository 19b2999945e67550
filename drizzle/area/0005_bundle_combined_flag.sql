ALTER TABLE `imported_bundles` ADD `combined` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Before this flag every import combined its bundle in its own transaction: the active bundles are in the cube, superseded ones were taken out.
UPDATE `imported_bundles` SET `combined` = (`superseded_by` IS NULL);--> statement-breakpoint
CREATE INDEX `imported_bundles_uncombined` ON `imported_bundles` (`id`) WHERE `combined` <> (`superseded_by` IS NULL);
