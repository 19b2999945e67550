CREATE TABLE `derived_versions` (
	`name` text PRIMARY KEY NOT NULL,
	`as_of_bundle_id` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `distinct_people_cells` (
	`district` text NOT NULL,
	`quarter` text NOT NULL,
	`records` integer NOT NULL,
	`distinct_people` integer NOT NULL,
	`shared_people` integer NOT NULL,
	`organisations` integer NOT NULL,
	PRIMARY KEY(`district`, `quarter`)
);
