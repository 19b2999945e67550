-- Impact with a category, issue or sector filter read every row's code and sector from the table
-- (one lookup per row, ~3x slower); this index replaces report_issue_facts_remit_idx with one that
-- also holds them, so every impact query is covered.
DROP INDEX `report_issue_facts_remit_idx`;
--> statement-breakpoint
CREATE INDEX `report_issue_facts_impact_idx` ON `report_issue_facts` (`within_remit`, `identified_on`, `status_changed_on`, `status`, `first_resolved_on`, `issue_code`, `sector`);
