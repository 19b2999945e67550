CREATE TABLE `our_area_authorities` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`chosen_at` text NOT NULL
);
