-- Reports summary (see docs/reports.md and src-main/db/reports.ts): one row per client_issues row,
-- clustered by identified_on so a period is one contiguous range, with the client's sector and
-- deprivation decile copied in and, for counting distinct people in one pass, the date of the
-- client's previous presentation (any issue / same category / same issue; and the same among
-- within-remit presentations only). Kept correct on every write by the triggers below; only rows
-- at or after an inserted/removed issue (in identified_on, id order) can change their previous dates.
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
--> statement-breakpoint
CREATE UNIQUE INDEX `report_issue_facts_issue_idx` ON `report_issue_facts` (`issue_id`);
--> statement-breakpoint
CREATE INDEX `report_issue_facts_client_idx` ON `report_issue_facts` (`client_id`);
--> statement-breakpoint
CREATE INDEX `issue_status_events_status_date_idx` ON `issue_status_events` (`status`, `changed_on`, `client_issue_id`);
--> statement-breakpoint
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
--> statement-breakpoint
CREATE TRIGGER `report_facts_issue_insert` AFTER INSERT ON `client_issues` BEGIN
  INSERT INTO report_issue_facts (identified_on, issue_id, client_id, issue_code, category_key, within_remit, sector, imd_decile, status, status_changed_on, first_resolved_on)
  SELECT NEW.identified_on, NEW.id, NEW.client_id, NEW.issue_code, substr(NEW.issue_code, 1, 3), NEW.within_remit,
         c.postcode_sector, c.imd_decile, NEW.status, NEW.status_changed_on,
         (SELECT MIN(e.changed_on) FROM issue_status_events e WHERE e.client_issue_id = NEW.id AND +e.status = 'resolved')
  FROM clients c WHERE c.id = NEW.client_id;
  UPDATE report_issue_facts SET 
    prev_any_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id))),
    prev_category_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.category_key = report_issue_facts.category_key),
    prev_code_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.issue_code = report_issue_facts.issue_code),
    prev_remit_any_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.within_remit = 1) END,
    prev_remit_category_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.category_key = report_issue_facts.category_key AND o.within_remit = 1) END,
    prev_remit_code_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.issue_code = report_issue_facts.issue_code AND o.within_remit = 1) END
  WHERE client_id = NEW.client_id
    AND (identified_on > NEW.identified_on OR (identified_on = NEW.identified_on AND issue_id >= NEW.id));
END;
--> statement-breakpoint
CREATE TRIGGER `report_facts_issue_move` AFTER UPDATE OF identified_on, issue_code, within_remit, client_id ON `client_issues` BEGIN
  UPDATE report_issue_facts SET identified_on = NEW.identified_on, client_id = NEW.client_id, issue_code = NEW.issue_code,
         category_key = substr(NEW.issue_code, 1, 3), within_remit = NEW.within_remit,
         sector = (SELECT c.postcode_sector FROM clients c WHERE c.id = NEW.client_id),
         imd_decile = (SELECT c.imd_decile FROM clients c WHERE c.id = NEW.client_id)
  WHERE issue_id = OLD.id;
  UPDATE report_issue_facts SET 
    prev_any_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id))),
    prev_category_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.category_key = report_issue_facts.category_key),
    prev_code_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.issue_code = report_issue_facts.issue_code),
    prev_remit_any_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.within_remit = 1) END,
    prev_remit_category_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.category_key = report_issue_facts.category_key AND o.within_remit = 1) END,
    prev_remit_code_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.issue_code = report_issue_facts.issue_code AND o.within_remit = 1) END
  WHERE client_id IN (OLD.client_id, NEW.client_id);
END;
--> statement-breakpoint
CREATE TRIGGER `report_facts_issue_status` AFTER UPDATE OF status, status_changed_on ON `client_issues` BEGIN
  UPDATE report_issue_facts SET status = NEW.status, status_changed_on = NEW.status_changed_on WHERE issue_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER `report_facts_issue_delete` AFTER DELETE ON `client_issues` BEGIN
  DELETE FROM report_issue_facts WHERE issue_id = OLD.id;
  UPDATE report_issue_facts SET 
    prev_any_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id))),
    prev_category_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.category_key = report_issue_facts.category_key),
    prev_code_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.issue_code = report_issue_facts.issue_code),
    prev_remit_any_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.within_remit = 1) END,
    prev_remit_category_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.category_key = report_issue_facts.category_key AND o.within_remit = 1) END,
    prev_remit_code_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND o.issue_code = report_issue_facts.issue_code AND o.within_remit = 1) END
  WHERE client_id = OLD.client_id
    AND (identified_on > OLD.identified_on OR (identified_on = OLD.identified_on AND issue_id > OLD.id));
END;
--> statement-breakpoint
CREATE TRIGGER `report_facts_client_geography` AFTER UPDATE OF postcode_sector, imd_decile ON `clients` BEGIN
  UPDATE report_issue_facts SET sector = NEW.postcode_sector, imd_decile = NEW.imd_decile WHERE client_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER `report_facts_event_insert` AFTER INSERT ON `issue_status_events` WHEN NEW.status = 'resolved' BEGIN
  UPDATE report_issue_facts SET first_resolved_on =
    (SELECT MIN(e.changed_on) FROM issue_status_events e WHERE e.client_issue_id = NEW.client_issue_id AND +e.status = 'resolved')
  WHERE issue_id = NEW.client_issue_id;
END;
--> statement-breakpoint
CREATE TRIGGER `report_facts_event_update` AFTER UPDATE OF status, changed_on, client_issue_id ON `issue_status_events` BEGIN
  UPDATE report_issue_facts SET first_resolved_on =
    (SELECT MIN(e.changed_on) FROM issue_status_events e WHERE e.client_issue_id = report_issue_facts.issue_id AND +e.status = 'resolved')
  WHERE issue_id IN (OLD.client_issue_id, NEW.client_issue_id);
END;
--> statement-breakpoint
CREATE TRIGGER `report_facts_event_delete` AFTER DELETE ON `issue_status_events` WHEN OLD.status = 'resolved' BEGIN
  UPDATE report_issue_facts SET first_resolved_on =
    (SELECT MIN(e.changed_on) FROM issue_status_events e WHERE e.client_issue_id = OLD.client_issue_id AND +e.status = 'resolved')
  WHERE issue_id = OLD.client_issue_id;
END;
