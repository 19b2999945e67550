-- Recording an issue cost ~11 ms of CPU at 20k clients (and grows with the database): 0002's triggers
-- recompute a client's previous-presentation dates with subqueries that, once 0005/0006 added indexes
-- leading with issue_code and within_remit, SQLite answered by scanning every row of that issue code
-- or every within-remit row instead of the client's few rows. The same triggers, with those columns
-- written +o.column so only report_issue_facts_client_idx (client_id, …) can serve them.
DROP TRIGGER `report_facts_issue_insert`;
--> statement-breakpoint
DROP TRIGGER `report_facts_issue_move`;
--> statement-breakpoint
DROP TRIGGER `report_facts_issue_delete`;
--> statement-breakpoint
CREATE TRIGGER `report_facts_issue_insert` AFTER INSERT ON `client_issues` BEGIN
  INSERT INTO report_issue_facts (identified_on, issue_id, client_id, issue_code, category_key, within_remit, sector, imd_decile, status, status_changed_on, first_resolved_on)
  SELECT NEW.identified_on, NEW.id, NEW.client_id, NEW.issue_code, substr(NEW.issue_code, 1, 3), NEW.within_remit,
         c.postcode_sector, c.imd_decile, NEW.status, NEW.status_changed_on,
         (SELECT MIN(e.changed_on) FROM issue_status_events e WHERE e.client_issue_id = NEW.id AND +e.status = 'resolved')
  FROM clients c WHERE c.id = NEW.client_id;
  UPDATE report_issue_facts SET 
    prev_any_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id))),
    prev_category_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.category_key = report_issue_facts.category_key),
    prev_code_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.issue_code = report_issue_facts.issue_code),
    prev_remit_any_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.within_remit = 1) END,
    prev_remit_category_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.category_key = report_issue_facts.category_key AND +o.within_remit = 1) END,
    prev_remit_code_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.issue_code = report_issue_facts.issue_code AND +o.within_remit = 1) END
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
    prev_category_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.category_key = report_issue_facts.category_key),
    prev_code_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.issue_code = report_issue_facts.issue_code),
    prev_remit_any_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.within_remit = 1) END,
    prev_remit_category_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.category_key = report_issue_facts.category_key AND +o.within_remit = 1) END,
    prev_remit_code_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.issue_code = report_issue_facts.issue_code AND +o.within_remit = 1) END
  WHERE client_id IN (OLD.client_id, NEW.client_id);
END;
--> statement-breakpoint
CREATE TRIGGER `report_facts_issue_delete` AFTER DELETE ON `client_issues` BEGIN
  DELETE FROM report_issue_facts WHERE issue_id = OLD.id;
  UPDATE report_issue_facts SET 
    prev_any_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id))),
    prev_category_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.category_key = report_issue_facts.category_key),
    prev_code_on = (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.issue_code = report_issue_facts.issue_code),
    prev_remit_any_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.within_remit = 1) END,
    prev_remit_category_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.category_key = report_issue_facts.category_key AND +o.within_remit = 1) END,
    prev_remit_code_on = CASE WHEN report_issue_facts.within_remit THEN (SELECT MAX(o.identified_on) FROM report_issue_facts o WHERE o.client_id = report_issue_facts.client_id AND (o.identified_on < report_issue_facts.identified_on OR (o.identified_on = report_issue_facts.identified_on AND o.issue_id < report_issue_facts.issue_id)) AND +o.issue_code = report_issue_facts.issue_code AND +o.within_remit = 1) END
  WHERE client_id = OLD.client_id
    AND (identified_on > OLD.identified_on OR (identified_on = OLD.identified_on AND issue_id > OLD.id));
END;
