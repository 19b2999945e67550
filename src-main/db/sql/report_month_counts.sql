-- Monthly summaries for the reports (docs/reports.md, "Monthly summaries"), derived from
-- report_issue_facts and kept by triggers on it, so every write that keeps the facts exact
-- (client_issues, clients, issue_status_events) keeps these exact too, in the same transaction.
-- One row per projection (kind), scope (0: all presentations with their previous-presentation dates;
-- 1: within-remit presentations with their within-remit previous dates), keys, calendar month, and the
-- month of the client's previous presentation at the kind's level ('' for none); n = presentations.
-- A presentation is a client's first in a period starting on the 1st of month M exactly when its
-- previous one is in a month before M, so people in whole months A..B = SUM(n) over month A..B with
-- prev_month < A, read from a few thousand rows instead of every presentation.
--   code        key1 issue code,            previous presentation of the same issue
--   code~cat    key1 issue code,            previous presentation of the same category
--   code~any    key1 issue code,            previous presentation of any issue
--   sector~cat  key1 sector ('' unknown),   key2 category key, previous of the same category
--   sector~any  key1 sector ('' unknown),   previous of any issue
--   decile~any  key1 decile ('' unknown),   previous of any issue
CREATE TABLE `report_month_counts` (
	`kind` text NOT NULL,
	`scope` integer NOT NULL,
	`key1` text NOT NULL,
	`key2` text NOT NULL,
	`month` text NOT NULL,
	`prev_month` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY (`kind`, `scope`, `month`, `key1`, `key2`, `prev_month`)
) WITHOUT ROWID;

-- Where (sector × category): a period's rows arrive grouped by sector and category (no sort of ~150k
-- rows a year at a million records); the month range is then a per-row test on the index.
CREATE INDEX `report_month_counts_group_idx` ON `report_month_counts` (`kind`, `scope`, `key1`, `key2`, `month`, `prev_month`, `n`);

-- The summary from scratch (the triggers must always agree with it: tests/reports/summaries.test.ts).
INSERT INTO `report_month_counts` (kind, scope, key1, key2, month, prev_month, n)
SELECT 'code', 0, f.issue_code, '', substr(f.identified_on, 1, 7), coalesce(substr(f.prev_code_on, 1, 7), ''), COUNT(*)
FROM report_issue_facts f GROUP BY 1, 2, 3, 4, 5, 6
UNION ALL
SELECT 'code~cat', 0, f.issue_code, '', substr(f.identified_on, 1, 7), coalesce(substr(f.prev_category_on, 1, 7), ''), COUNT(*)
FROM report_issue_facts f GROUP BY 1, 2, 3, 4, 5, 6
UNION ALL
SELECT 'code~any', 0, f.issue_code, '', substr(f.identified_on, 1, 7), coalesce(substr(f.prev_any_on, 1, 7), ''), COUNT(*)
FROM report_issue_facts f GROUP BY 1, 2, 3, 4, 5, 6
UNION ALL
SELECT 'sector~cat', 0, coalesce(f.sector, ''), f.category_key, substr(f.identified_on, 1, 7), coalesce(substr(f.prev_category_on, 1, 7), ''), COUNT(*)
FROM report_issue_facts f GROUP BY 1, 2, 3, 4, 5, 6
UNION ALL
SELECT 'sector~any', 0, coalesce(f.sector, ''), '', substr(f.identified_on, 1, 7), coalesce(substr(f.prev_any_on, 1, 7), ''), COUNT(*)
FROM report_issue_facts f GROUP BY 1, 2, 3, 4, 5, 6
UNION ALL
SELECT 'decile~any', 0, coalesce(f.imd_decile, ''), '', substr(f.identified_on, 1, 7), coalesce(substr(f.prev_any_on, 1, 7), ''), COUNT(*)
FROM report_issue_facts f GROUP BY 1, 2, 3, 4, 5, 6
UNION ALL
SELECT 'code', 1, f.issue_code, '', substr(f.identified_on, 1, 7), coalesce(substr(f.prev_remit_code_on, 1, 7), ''), COUNT(*)
FROM report_issue_facts f WHERE f.within_remit = 1 GROUP BY 1, 2, 3, 4, 5, 6
UNION ALL
SELECT 'code~cat', 1, f.issue_code, '', substr(f.identified_on, 1, 7), coalesce(substr(f.prev_remit_category_on, 1, 7), ''), COUNT(*)
FROM report_issue_facts f WHERE f.within_remit = 1 GROUP BY 1, 2, 3, 4, 5, 6
UNION ALL
SELECT 'code~any', 1, f.issue_code, '', substr(f.identified_on, 1, 7), coalesce(substr(f.prev_remit_any_on, 1, 7), ''), COUNT(*)
FROM report_issue_facts f WHERE f.within_remit = 1 GROUP BY 1, 2, 3, 4, 5, 6
UNION ALL
SELECT 'sector~cat', 1, coalesce(f.sector, ''), f.category_key, substr(f.identified_on, 1, 7), coalesce(substr(f.prev_remit_category_on, 1, 7), ''), COUNT(*)
FROM report_issue_facts f WHERE f.within_remit = 1 GROUP BY 1, 2, 3, 4, 5, 6
UNION ALL
SELECT 'sector~any', 1, coalesce(f.sector, ''), '', substr(f.identified_on, 1, 7), coalesce(substr(f.prev_remit_any_on, 1, 7), ''), COUNT(*)
FROM report_issue_facts f WHERE f.within_remit = 1 GROUP BY 1, 2, 3, 4, 5, 6
UNION ALL
SELECT 'decile~any', 1, coalesce(f.imd_decile, ''), '', substr(f.identified_on, 1, 7), coalesce(substr(f.prev_remit_any_on, 1, 7), ''), COUNT(*)
FROM report_issue_facts f WHERE f.within_remit = 1 GROUP BY 1, 2, 3, 4, 5, 6;

-- Adds (sign 1) or takes away (sign -1) one report_issue_facts row's presentation in each of its
-- projections: `INSERT INTO report_month_counts_add VALUES (sign, the row's columns…)`. The view
-- holds no rows; inserting into it only runs the trigger below, so the three triggers after it share
-- this one definition of the projections.
CREATE VIEW `report_month_counts_add` AS
SELECT NULL AS sign, NULL AS identified_on, NULL AS issue_code, NULL AS category_key, NULL AS within_remit, NULL AS sector, NULL AS imd_decile,
       NULL AS prev_any_on, NULL AS prev_category_on, NULL AS prev_code_on, NULL AS prev_remit_any_on, NULL AS prev_remit_category_on, NULL AS prev_remit_code_on
WHERE 0;

CREATE TRIGGER `report_month_counts_add` INSTEAD OF INSERT ON `report_month_counts_add` BEGIN
  INSERT INTO report_month_counts (kind, scope, key1, key2, month, prev_month, n)
  SELECT kind, scope, key1, key2, month, prev_month, NEW.sign FROM (
    SELECT 'code' AS kind, 0 AS scope, NEW.issue_code AS key1, '' AS key2, substr(NEW.identified_on, 1, 7) AS month, coalesce(substr(NEW.prev_code_on, 1, 7), '') AS prev_month
    UNION ALL SELECT 'code~cat', 0, NEW.issue_code, '', substr(NEW.identified_on, 1, 7), coalesce(substr(NEW.prev_category_on, 1, 7), '')
    UNION ALL SELECT 'code~any', 0, NEW.issue_code, '', substr(NEW.identified_on, 1, 7), coalesce(substr(NEW.prev_any_on, 1, 7), '')
    UNION ALL SELECT 'sector~cat', 0, coalesce(NEW.sector, ''), NEW.category_key, substr(NEW.identified_on, 1, 7), coalesce(substr(NEW.prev_category_on, 1, 7), '')
    UNION ALL SELECT 'sector~any', 0, coalesce(NEW.sector, ''), '', substr(NEW.identified_on, 1, 7), coalesce(substr(NEW.prev_any_on, 1, 7), '')
    UNION ALL SELECT 'decile~any', 0, coalesce(NEW.imd_decile, ''), '', substr(NEW.identified_on, 1, 7), coalesce(substr(NEW.prev_any_on, 1, 7), '')
    UNION ALL SELECT 'code', 1, NEW.issue_code, '', substr(NEW.identified_on, 1, 7), coalesce(substr(NEW.prev_remit_code_on, 1, 7), '')
    UNION ALL SELECT 'code~cat', 1, NEW.issue_code, '', substr(NEW.identified_on, 1, 7), coalesce(substr(NEW.prev_remit_category_on, 1, 7), '')
    UNION ALL SELECT 'code~any', 1, NEW.issue_code, '', substr(NEW.identified_on, 1, 7), coalesce(substr(NEW.prev_remit_any_on, 1, 7), '')
    UNION ALL SELECT 'sector~cat', 1, coalesce(NEW.sector, ''), NEW.category_key, substr(NEW.identified_on, 1, 7), coalesce(substr(NEW.prev_remit_category_on, 1, 7), '')
    UNION ALL SELECT 'sector~any', 1, coalesce(NEW.sector, ''), '', substr(NEW.identified_on, 1, 7), coalesce(substr(NEW.prev_remit_any_on, 1, 7), '')
    UNION ALL SELECT 'decile~any', 1, coalesce(NEW.imd_decile, ''), '', substr(NEW.identified_on, 1, 7), coalesce(substr(NEW.prev_remit_any_on, 1, 7), ''))
  WHERE scope = 0 OR NEW.within_remit = 1
  ON CONFLICT (kind, scope, month, key1, key2, prev_month) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER `report_month_counts_insert` AFTER INSERT ON `report_issue_facts` BEGIN
  INSERT INTO report_month_counts_add VALUES (1, NEW.identified_on, NEW.issue_code, NEW.category_key, NEW.within_remit, NEW.sector, NEW.imd_decile, NEW.prev_any_on, NEW.prev_category_on, NEW.prev_code_on, NEW.prev_remit_any_on, NEW.prev_remit_category_on, NEW.prev_remit_code_on);
END;

CREATE TRIGGER `report_month_counts_delete` AFTER DELETE ON `report_issue_facts` BEGIN
  INSERT INTO report_month_counts_add VALUES (-1, OLD.identified_on, OLD.issue_code, OLD.category_key, OLD.within_remit, OLD.sector, OLD.imd_decile, OLD.prev_any_on, OLD.prev_category_on, OLD.prev_code_on, OLD.prev_remit_any_on, OLD.prev_remit_category_on, OLD.prev_remit_code_on);
END;

-- Only when a column a projection reads has changed (status updates leave the counts alone).
CREATE TRIGGER `report_month_counts_update` AFTER UPDATE OF identified_on, issue_code, category_key, within_remit, sector, imd_decile, prev_any_on, prev_category_on, prev_code_on, prev_remit_any_on, prev_remit_category_on, prev_remit_code_on ON `report_issue_facts`
WHEN OLD.identified_on IS NOT NEW.identified_on OR OLD.issue_code IS NOT NEW.issue_code OR OLD.category_key IS NOT NEW.category_key OR OLD.within_remit IS NOT NEW.within_remit OR OLD.sector IS NOT NEW.sector OR OLD.imd_decile IS NOT NEW.imd_decile OR OLD.prev_any_on IS NOT NEW.prev_any_on OR OLD.prev_category_on IS NOT NEW.prev_category_on OR OLD.prev_code_on IS NOT NEW.prev_code_on OR OLD.prev_remit_any_on IS NOT NEW.prev_remit_any_on OR OLD.prev_remit_category_on IS NOT NEW.prev_remit_category_on OR OLD.prev_remit_code_on IS NOT NEW.prev_remit_code_on BEGIN
  INSERT INTO report_month_counts_add VALUES (-1, OLD.identified_on, OLD.issue_code, OLD.category_key, OLD.within_remit, OLD.sector, OLD.imd_decile, OLD.prev_any_on, OLD.prev_category_on, OLD.prev_code_on, OLD.prev_remit_any_on, OLD.prev_remit_category_on, OLD.prev_remit_code_on);
  INSERT INTO report_month_counts_add VALUES (1, NEW.identified_on, NEW.issue_code, NEW.category_key, NEW.within_remit, NEW.sector, NEW.imd_decile, NEW.prev_any_on, NEW.prev_category_on, NEW.prev_code_on, NEW.prev_remit_any_on, NEW.prev_remit_category_on, NEW.prev_remit_code_on);
END;
