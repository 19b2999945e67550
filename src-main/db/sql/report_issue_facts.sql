-- Reports summary (docs/reports.md; queries in src-main/db/reports/): one row per client_issues row,
-- clustered by identified_on so a period is one contiguous range, with the client's sector and
-- deprivation decile copied in and, for counting distinct people in one pass, the date of the
-- client's previous presentation (any issue / same category / same issue; and the same among
-- within-remit presentations only). Kept exact on every write by the triggers below; only rows at
-- or after an inserted/removed issue (in identified_on, id order) can change their previous dates.
CREATE TABLE `report_issue_facts` (
	`identified_on` text NOT NULL,
	`issue_id` integer NOT NULL,
	`client_id` integer NOT NULL,
	`issue_code` text NOT NULL,
	`category_key` text NOT NULL,
	`within_remit` integer NOT NULL,
	`sector` text,
	`imd_decile` integer,
	`status` text NOT NULL,
	`status_changed_on` text NOT NULL,
	`first_resolved_on` text,
	`prev_any_on` text,
	`prev_category_on` text,
	`prev_code_on` text,
	`prev_remit_any_on` text,
	`prev_remit_category_on` text,
	`prev_remit_code_on` text,
	PRIMARY KEY (`identified_on`, `issue_id`)
) WITHOUT ROWID;

-- The triggers find an issue's row, and a client's rows, through these two.
CREATE UNIQUE INDEX `report_issue_facts_issue_idx` ON `report_issue_facts` (`issue_id`);

CREATE INDEX `report_issue_facts_client_idx` ON `report_issue_facts` (`client_id`);

-- Covering indexes (docs/reports.md, "How it stays fast"): SQLite groups by sorting unless rows
-- arrive in group order, and sorting half a million rows costs far more than reading them; each
-- index hands one view its rows already in group order, with every column the view reads.
-- Need by issue, and every issue- or category-filtered view:
CREATE INDEX `report_issue_facts_code_idx` ON `report_issue_facts` (`issue_code`, `identified_on`, `within_remit`, `prev_code_on`, `prev_category_on`, `prev_any_on`, `prev_remit_code_on`, `prev_remit_category_on`, `prev_remit_any_on`);

-- Where (sector × category), and any view filtered to one sector:
CREATE INDEX `report_issue_facts_sector_idx` ON `report_issue_facts` (`sector`, `category_key`, `identified_on`, `within_remit`, `prev_category_on`, `prev_any_on`, `prev_remit_category_on`, `prev_remit_any_on`);

-- Deprivation deciles:
CREATE INDEX `report_issue_facts_decile_idx` ON `report_issue_facts` (`imd_decile`, `identified_on`, `within_remit`, `prev_any_on`, `prev_remit_any_on`);

-- Impact: within-remit issues up to the period's end, with status, first resolution, code and sector.
CREATE INDEX `report_issue_facts_impact_idx` ON `report_issue_facts` (`within_remit`, `identified_on`, `status_changed_on`, `status`, `first_resolved_on`, `issue_code`, `sector`);

-- Impact counts "open at the end" as identified minus settled: the settled are the few rows here
-- (current status settled or improved, by status, read when reached by the end)…
CREATE INDEX `report_issue_facts_settled_status_idx` ON `report_issue_facts` (`within_remit`, `status`, `identified_on`, `status_changed_on`, `issue_code`, `sector`)
WHERE `status` IN ('resolved', 'closed_unresolved', 'improved');

-- …plus issues whose status changed after the period's end (their status then comes from the events).
CREATE INDEX `report_issue_facts_changed_idx` ON `report_issue_facts` (`within_remit`, `status_changed_on`, `identified_on`, `issue_code`, `sector`);

-- Days to resolve: only issues with a resolution.
CREATE INDEX `report_issue_facts_resolved_idx` ON `report_issue_facts` (`within_remit`, `identified_on`, `first_resolved_on`, `issue_code`, `sector`)
WHERE `first_resolved_on` IS NOT NULL;

-- The summary from scratch (the triggers must always agree with it: tests/reports/summaries.test.ts).
INSERT INTO `report_issue_facts`
SELECT ci.identified_on, ci.id, ci.client_id, ci.issue_code, substr(ci.issue_code, 1, 3), ci.within_remit,
       c.postcode_sector, c.imd_decile, ci.status, ci.status_changed_on,
       (SELECT MIN(e.changed_on) FROM issue_status_events e WHERE e.client_issue_id = ci.id AND +e.status = 'resolved'),
       LAG(ci.identified_on) OVER (PARTITION BY ci.client_id ORDER BY ci.identified_on, ci.id),
       LAG(ci.identified_on) OVER (PARTITION BY ci.client_id, substr(ci.issue_code, 1, 3) ORDER BY ci.identified_on, ci.id),
       LAG(ci.identified_on) OVER (PARTITION BY ci.client_id, ci.issue_code ORDER BY ci.identified_on, ci.id),
       CASE WHEN ci.within_remit THEN LAG(ci.identified_on) OVER (PARTITION BY ci.client_id, ci.within_remit ORDER BY ci.identified_on, ci.id) END,
       CASE WHEN ci.within_remit THEN LAG(ci.identified_on) OVER (PARTITION BY ci.client_id, ci.within_remit, substr(ci.issue_code, 1, 3) ORDER BY ci.identified_on, ci.id) END,
       CASE WHEN ci.within_remit THEN LAG(ci.identified_on) OVER (PARTITION BY ci.client_id, ci.within_remit, ci.issue_code ORDER BY ci.identified_on, ci.id) END
FROM client_issues ci JOIN clients c ON c.id = ci.client_id;

-- Recomputes a client's previous-presentation dates on its rows from one position (identified_on,
-- issue id) on: `INSERT INTO report_issue_facts_recompute VALUES (client, from date, from issue id)`.
-- The view holds no rows; inserting into it only runs the trigger below, so the triggers after it
-- share this one definition. Only a client's rows at or after an inserted, moved or removed issue
-- can change, and they are looked up through report_issue_facts_client_idx alone: +o.column keeps
-- SQLite from answering them through an index led by issue_code or within_remit, which scanned every
-- row of the code (11 ms per recorded issue at 20k clients; migration 0012).
CREATE VIEW `report_issue_facts_recompute` AS SELECT NULL AS client_id, NULL AS from_on, NULL AS from_id WHERE 0;

CREATE TRIGGER `report_issue_facts_recompute` INSTEAD OF INSERT ON `report_issue_facts_recompute` BEGIN
  UPDATE report_issue_facts SET
    prev_any_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id))),
    prev_category_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.category_key = report_issue_facts.category_key),
    prev_code_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.issue_code = report_issue_facts.issue_code),
    prev_remit_any_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.within_remit = 1) END,
    prev_remit_category_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.category_key = report_issue_facts.category_key AND +o.within_remit = 1) END,
    prev_remit_code_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.issue_code = report_issue_facts.issue_code AND +o.within_remit = 1) END
  WHERE client_id = NEW.client_id
    AND (identified_on > NEW.from_on OR (identified_on = NEW.from_on AND issue_id >= NEW.from_id));
END;

CREATE TRIGGER `report_facts_issue_insert` AFTER INSERT ON `client_issues` BEGIN
  INSERT INTO report_issue_facts (identified_on, issue_id, client_id, issue_code, category_key, within_remit, sector, imd_decile, status, status_changed_on, first_resolved_on)
  SELECT NEW.identified_on, NEW.id, NEW.client_id, NEW.issue_code, substr(NEW.issue_code, 1, 3), NEW.within_remit,
         c.postcode_sector, c.imd_decile, NEW.status, NEW.status_changed_on,
         (SELECT MIN(e.changed_on) FROM issue_status_events e WHERE e.client_issue_id = NEW.id AND +e.status = 'resolved')
  FROM clients c WHERE c.id = NEW.client_id;
  INSERT INTO report_issue_facts_recompute VALUES (NEW.client_id, NEW.identified_on, NEW.id);
END;

-- A changed date, code, remit or client: every row of the client (or of both clients) is recomputed.
CREATE TRIGGER `report_facts_issue_move` AFTER UPDATE OF identified_on, issue_code, within_remit, client_id ON `client_issues` BEGIN
  UPDATE report_issue_facts SET identified_on = NEW.identified_on, client_id = NEW.client_id, issue_code = NEW.issue_code,
         category_key = substr(NEW.issue_code, 1, 3), within_remit = NEW.within_remit,
         sector = (SELECT c.postcode_sector FROM clients c WHERE c.id = NEW.client_id),
         imd_decile = (SELECT c.imd_decile FROM clients c WHERE c.id = NEW.client_id)
  WHERE issue_id = OLD.id;
  INSERT INTO report_issue_facts_recompute SELECT OLD.client_id, '', 0 UNION SELECT NEW.client_id, '', 0;
END;

CREATE TRIGGER `report_facts_issue_status` AFTER UPDATE OF status, status_changed_on ON `client_issues` BEGIN
  UPDATE report_issue_facts SET status = NEW.status, status_changed_on = NEW.status_changed_on WHERE issue_id = NEW.id;
END;

-- Rows after the removed one (issue ids are integers, so "from OLD.id + 1" is "after OLD.id").
CREATE TRIGGER `report_facts_issue_delete` AFTER DELETE ON `client_issues` BEGIN
  DELETE FROM report_issue_facts WHERE issue_id = OLD.id;
  INSERT INTO report_issue_facts_recompute VALUES (OLD.client_id, OLD.identified_on, OLD.id + 1);
END;

CREATE TRIGGER `report_facts_client_geography` AFTER UPDATE OF postcode_sector, imd_decile ON `clients` BEGIN
  UPDATE report_issue_facts SET sector = NEW.postcode_sector, imd_decile = NEW.imd_decile WHERE client_id = NEW.id;
END;

CREATE TRIGGER `report_facts_event_insert` AFTER INSERT ON `issue_status_events` WHEN NEW.status = 'resolved' BEGIN
  UPDATE report_issue_facts SET first_resolved_on =
    (SELECT MIN(e.changed_on) FROM issue_status_events e WHERE e.client_issue_id = NEW.client_issue_id AND +e.status = 'resolved')
  WHERE issue_id = NEW.client_issue_id;
END;

CREATE TRIGGER `report_facts_event_update` AFTER UPDATE OF status, changed_on, client_issue_id ON `issue_status_events` BEGIN
  UPDATE report_issue_facts SET first_resolved_on =
    (SELECT MIN(e.changed_on) FROM issue_status_events e WHERE e.client_issue_id = report_issue_facts.issue_id AND +e.status = 'resolved')
  WHERE issue_id IN (OLD.client_issue_id, NEW.client_issue_id);
END;

CREATE TRIGGER `report_facts_event_delete` AFTER DELETE ON `issue_status_events` WHEN OLD.status = 'resolved' BEGIN
  UPDATE report_issue_facts SET first_resolved_on =
    (SELECT MIN(e.changed_on) FROM issue_status_events e WHERE e.client_issue_id = OLD.client_issue_id AND +e.status = 'resolved')
  WHERE issue_id = OLD.client_issue_id;
END;
