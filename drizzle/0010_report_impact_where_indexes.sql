-- Impact without visiting every within-remit issue (see docs/reports.md, "How it stays fast"): an issue
-- is open at a period's end unless its status then is resolved or closed unresolved, so "open at end"
-- is (issues identified by then) − (those settled by then). Counting the first is a bare index range;
-- the settled ones are the few rows in this partial index (current status settled or improved, read
-- when that status was reached by the end) plus rows whose status changed after the end (next index).
CREATE INDEX `report_issue_facts_settled_idx` ON `report_issue_facts` (`within_remit`, `identified_on`, `status_changed_on`, `status`, `issue_code`, `sector`)
WHERE `status` IN ('resolved', 'closed_unresolved', 'improved');
--> statement-breakpoint
-- Issues whose status changed after a period's end (their status then comes from the events): few
-- for a recent end date.
CREATE INDEX `report_issue_facts_changed_idx` ON `report_issue_facts` (`within_remit`, `status_changed_on`, `identified_on`, `issue_code`, `sector`);
--> statement-breakpoint
-- Days to resolve: only issues with a resolution.
CREATE INDEX `report_issue_facts_resolved_idx` ON `report_issue_facts` (`within_remit`, `identified_on`, `first_resolved_on`, `issue_code`, `sector`)
WHERE `first_resolved_on` IS NOT NULL;
--> statement-breakpoint
-- Where (sector × category): a period's rows arrive grouped by sector and category (no sort of ~150k
-- rows a year at a million records); the month range is then a per-row test on the index.
CREATE INDEX `report_month_counts_group_idx` ON `report_month_counts` (`kind`, `scope`, `key1`, `key2`, `month`, `prev_month`, `n`);
