-- Impact counts settled issues per status with bare index ranges (one per status and bound) instead of
-- reading each of them through CASE sums: the settled partial index from 0010, ordered by status first.
DROP INDEX `report_issue_facts_settled_idx`;
--> statement-breakpoint
CREATE INDEX `report_issue_facts_settled_status_idx` ON `report_issue_facts` (`within_remit`, `status`, `identified_on`, `status_changed_on`, `issue_code`, `sector`)
WHERE `status` IN ('resolved', 'closed_unresolved', 'improved');
