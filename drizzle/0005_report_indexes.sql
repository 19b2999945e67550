-- Covering indexes on the reports summary (see docs/reports.md, "How it stays fast"). SQLite
-- groups by sorting unless rows arrive in group order, and sorting half a million rows costs far
-- more than reading them; each index below hands one view its rows already in group order, with
-- every column the view reads, so the query streams through the index and never touches the table.
-- Need (by issue, and every issue- or category-filtered view: trend, need for one category):
CREATE INDEX `report_issue_facts_code_idx` ON `report_issue_facts` (`issue_code`, `identified_on`, `within_remit`, `prev_code_on`, `prev_category_on`, `prev_any_on`, `prev_remit_code_on`, `prev_remit_category_on`, `prev_remit_any_on`);
--> statement-breakpoint
-- Where (sector × category), and any view filtered to one sector:
CREATE INDEX `report_issue_facts_sector_idx` ON `report_issue_facts` (`sector`, `category_key`, `identified_on`, `within_remit`, `prev_category_on`, `prev_any_on`, `prev_remit_category_on`, `prev_remit_any_on`);
--> statement-breakpoint
-- Deprivation deciles:
CREATE INDEX `report_issue_facts_decile_idx` ON `report_issue_facts` (`imd_decile`, `identified_on`, `within_remit`, `prev_any_on`, `prev_remit_any_on`);
--> statement-breakpoint
-- Impact (within-remit issues up to the period's end, with their status and first resolution):
CREATE INDEX `report_issue_facts_remit_idx` ON `report_issue_facts` (`within_remit`, `identified_on`, `status_changed_on`, `status`, `first_resolved_on`);
