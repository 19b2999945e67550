-- Referrals summary (docs/reports.md, "Referrals summary"): one row per "referred" status event,
-- clustered by its date, with the issue's current destination (NULL when not recorded), code, remit
-- and the client's sector copied in, and for counting in one pass: the date of the same issue's
-- previous referred event (an issue referred twice in a period counts once), and the client's
-- previous referral (to the same destination, and to any) among issues of any / the same category /
-- the same code, and the same among within-remit issues only. A referral row is its issue's
-- (client's) first in a period starting at D exactly when that previous date is before D (or none).
-- Kept by the triggers below on issue_status_events, client_issues and clients: a change recomputes
-- the previous dates of the affected client's referral rows (a handful per client).
CREATE TABLE `report_referral_facts` (
	`referred_on` text NOT NULL,
	`event_id` integer NOT NULL,
	`issue_id` integer NOT NULL,
	`client_id` integer NOT NULL,
	`destination` text,
	`issue_code` text NOT NULL,
	`category_key` text NOT NULL,
	`within_remit` integer NOT NULL,
	`sector` text,
	`prev_issue_on` text,
	`prev_dest_any_on` text,
	`prev_dest_category_on` text,
	`prev_dest_code_on` text,
	`prev_dest_remit_any_on` text,
	`prev_dest_remit_category_on` text,
	`prev_dest_remit_code_on` text,
	`prev_any_on` text,
	`prev_category_on` text,
	`prev_code_on` text,
	`prev_remit_any_on` text,
	`prev_remit_category_on` text,
	`prev_remit_code_on` text,
	PRIMARY KEY (`referred_on`, `event_id`)
) WITHOUT ROWID;

CREATE UNIQUE INDEX `report_referral_facts_event_idx` ON `report_referral_facts` (`event_id`);

CREATE INDEX `report_referral_facts_issue_idx` ON `report_referral_facts` (`issue_id`, `referred_on`);

CREATE INDEX `report_referral_facts_client_idx` ON `report_referral_facts` (`client_id`, `referred_on`);

-- The report reads a period's rows by destination (no sort to group), every column it needs in the index.
CREATE INDEX `report_referral_facts_destination_idx` ON `report_referral_facts` (`destination`, `referred_on`, `within_remit`, `issue_code`, `sector`, `prev_issue_on`, `prev_dest_any_on`, `prev_dest_category_on`, `prev_dest_code_on`, `prev_dest_remit_any_on`, `prev_dest_remit_category_on`, `prev_dest_remit_code_on`, `prev_any_on`, `prev_category_on`, `prev_code_on`, `prev_remit_any_on`, `prev_remit_category_on`, `prev_remit_code_on`);

-- The summary from scratch (the triggers must always agree with it: tests/reports/summaries.test.ts).
INSERT INTO report_referral_facts (referred_on, event_id, issue_id, client_id, destination, issue_code, category_key, within_remit, sector, prev_issue_on, prev_dest_any_on, prev_dest_category_on, prev_dest_code_on, prev_dest_remit_any_on, prev_dest_remit_category_on, prev_dest_remit_code_on, prev_any_on, prev_category_on, prev_code_on, prev_remit_any_on, prev_remit_category_on, prev_remit_code_on)
SELECT referred_on, event_id, issue_id, client_id, destination, issue_code, category_key, within_remit, sector,
       LAG(referred_on) OVER (PARTITION BY issue_id ORDER BY referred_on, event_id),
       LAG(referred_on) OVER (PARTITION BY client_id, destination ORDER BY referred_on, event_id),
       LAG(referred_on) OVER (PARTITION BY client_id, destination, category_key ORDER BY referred_on, event_id),
       LAG(referred_on) OVER (PARTITION BY client_id, destination, issue_code ORDER BY referred_on, event_id),
       CASE WHEN within_remit THEN LAG(referred_on) OVER (PARTITION BY client_id, destination, within_remit ORDER BY referred_on, event_id) END,
       CASE WHEN within_remit THEN LAG(referred_on) OVER (PARTITION BY client_id, destination, within_remit, category_key ORDER BY referred_on, event_id) END,
       CASE WHEN within_remit THEN LAG(referred_on) OVER (PARTITION BY client_id, destination, within_remit, issue_code ORDER BY referred_on, event_id) END,
       LAG(referred_on) OVER (PARTITION BY client_id ORDER BY referred_on, event_id),
       LAG(referred_on) OVER (PARTITION BY client_id, category_key ORDER BY referred_on, event_id),
       LAG(referred_on) OVER (PARTITION BY client_id, issue_code ORDER BY referred_on, event_id),
       CASE WHEN within_remit THEN LAG(referred_on) OVER (PARTITION BY client_id, within_remit ORDER BY referred_on, event_id) END,
       CASE WHEN within_remit THEN LAG(referred_on) OVER (PARTITION BY client_id, within_remit, category_key ORDER BY referred_on, event_id) END,
       CASE WHEN within_remit THEN LAG(referred_on) OVER (PARTITION BY client_id, within_remit, issue_code ORDER BY referred_on, event_id) END
FROM (SELECT e.changed_on AS referred_on, e.id AS event_id, ci.id AS issue_id, ci.client_id, ci.referred_to AS destination, ci.issue_code,
             substr(ci.issue_code, 1, 3) AS category_key, ci.within_remit, c.postcode_sector AS sector
      FROM issue_status_events e JOIN client_issues ci ON ci.id = e.client_issue_id JOIN clients c ON c.id = ci.client_id
      WHERE e.status = 'referred');

-- Adds a status event's referral row if the event is a referral: `INSERT INTO report_referral_facts_add
-- VALUES (event id)`. Like the view after it, it holds no rows; inserting into it only runs its trigger,
-- so the triggers below share one definition.
CREATE VIEW `report_referral_facts_add` AS SELECT NULL AS event_id WHERE 0;

CREATE TRIGGER `report_referral_facts_add` INSTEAD OF INSERT ON `report_referral_facts_add` BEGIN
  INSERT INTO report_referral_facts (referred_on, event_id, issue_id, client_id, destination, issue_code, category_key, within_remit, sector)
  SELECT e.changed_on, e.id, ci.id, ci.client_id, ci.referred_to, ci.issue_code, substr(ci.issue_code, 1, 3), ci.within_remit, c.postcode_sector
  FROM issue_status_events e JOIN client_issues ci ON ci.id = e.client_issue_id JOIN clients c ON c.id = ci.client_id
  WHERE e.id = NEW.event_id AND e.status = 'referred';
END;

-- Recomputes the previous-referral dates of all a client's referral rows (a handful):
-- `INSERT INTO report_referral_facts_recompute VALUES (client id)`. The UPDATE names the table rather
-- than an alias (UPDATE … AS r): the sqlite3 shell 3.40 an administrator may open a copy with cannot
-- parse the alias and calls the whole schema malformed (migration 0009).
CREATE VIEW `report_referral_facts_recompute` AS SELECT NULL AS client_id WHERE 0;

CREATE TRIGGER `report_referral_facts_recompute` INSTEAD OF INSERT ON `report_referral_facts_recompute` BEGIN
  UPDATE report_referral_facts SET
    prev_issue_on = (SELECT MAX(o.referred_on) FROM report_referral_facts o WHERE o.issue_id = report_referral_facts.issue_id AND (o.referred_on < report_referral_facts.referred_on OR (o.referred_on = report_referral_facts.referred_on AND o.event_id < report_referral_facts.event_id))),
    prev_dest_any_on = (SELECT MAX(o.referred_on) FROM report_referral_facts o WHERE o.client_id = report_referral_facts.client_id AND (o.referred_on < report_referral_facts.referred_on OR (o.referred_on = report_referral_facts.referred_on AND o.event_id < report_referral_facts.event_id)) AND o.destination IS report_referral_facts.destination),
    prev_dest_category_on = (SELECT MAX(o.referred_on) FROM report_referral_facts o WHERE o.client_id = report_referral_facts.client_id AND (o.referred_on < report_referral_facts.referred_on OR (o.referred_on = report_referral_facts.referred_on AND o.event_id < report_referral_facts.event_id)) AND o.destination IS report_referral_facts.destination AND o.category_key = report_referral_facts.category_key),
    prev_dest_code_on = (SELECT MAX(o.referred_on) FROM report_referral_facts o WHERE o.client_id = report_referral_facts.client_id AND (o.referred_on < report_referral_facts.referred_on OR (o.referred_on = report_referral_facts.referred_on AND o.event_id < report_referral_facts.event_id)) AND o.destination IS report_referral_facts.destination AND o.issue_code = report_referral_facts.issue_code),
    prev_dest_remit_any_on = CASE WHEN report_referral_facts.within_remit THEN (SELECT MAX(o.referred_on) FROM report_referral_facts o WHERE o.client_id = report_referral_facts.client_id AND (o.referred_on < report_referral_facts.referred_on OR (o.referred_on = report_referral_facts.referred_on AND o.event_id < report_referral_facts.event_id)) AND o.destination IS report_referral_facts.destination AND o.within_remit = 1) END,
    prev_dest_remit_category_on = CASE WHEN report_referral_facts.within_remit THEN (SELECT MAX(o.referred_on) FROM report_referral_facts o WHERE o.client_id = report_referral_facts.client_id AND (o.referred_on < report_referral_facts.referred_on OR (o.referred_on = report_referral_facts.referred_on AND o.event_id < report_referral_facts.event_id)) AND o.destination IS report_referral_facts.destination AND o.category_key = report_referral_facts.category_key AND o.within_remit = 1) END,
    prev_dest_remit_code_on = CASE WHEN report_referral_facts.within_remit THEN (SELECT MAX(o.referred_on) FROM report_referral_facts o WHERE o.client_id = report_referral_facts.client_id AND (o.referred_on < report_referral_facts.referred_on OR (o.referred_on = report_referral_facts.referred_on AND o.event_id < report_referral_facts.event_id)) AND o.destination IS report_referral_facts.destination AND o.issue_code = report_referral_facts.issue_code AND o.within_remit = 1) END,
    prev_any_on = (SELECT MAX(o.referred_on) FROM report_referral_facts o WHERE o.client_id = report_referral_facts.client_id AND (o.referred_on < report_referral_facts.referred_on OR (o.referred_on = report_referral_facts.referred_on AND o.event_id < report_referral_facts.event_id))),
    prev_category_on = (SELECT MAX(o.referred_on) FROM report_referral_facts o WHERE o.client_id = report_referral_facts.client_id AND (o.referred_on < report_referral_facts.referred_on OR (o.referred_on = report_referral_facts.referred_on AND o.event_id < report_referral_facts.event_id)) AND o.category_key = report_referral_facts.category_key),
    prev_code_on = (SELECT MAX(o.referred_on) FROM report_referral_facts o WHERE o.client_id = report_referral_facts.client_id AND (o.referred_on < report_referral_facts.referred_on OR (o.referred_on = report_referral_facts.referred_on AND o.event_id < report_referral_facts.event_id)) AND o.issue_code = report_referral_facts.issue_code),
    prev_remit_any_on = CASE WHEN report_referral_facts.within_remit THEN (SELECT MAX(o.referred_on) FROM report_referral_facts o WHERE o.client_id = report_referral_facts.client_id AND (o.referred_on < report_referral_facts.referred_on OR (o.referred_on = report_referral_facts.referred_on AND o.event_id < report_referral_facts.event_id)) AND o.within_remit = 1) END,
    prev_remit_category_on = CASE WHEN report_referral_facts.within_remit THEN (SELECT MAX(o.referred_on) FROM report_referral_facts o WHERE o.client_id = report_referral_facts.client_id AND (o.referred_on < report_referral_facts.referred_on OR (o.referred_on = report_referral_facts.referred_on AND o.event_id < report_referral_facts.event_id)) AND o.category_key = report_referral_facts.category_key AND o.within_remit = 1) END,
    prev_remit_code_on = CASE WHEN report_referral_facts.within_remit THEN (SELECT MAX(o.referred_on) FROM report_referral_facts o WHERE o.client_id = report_referral_facts.client_id AND (o.referred_on < report_referral_facts.referred_on OR (o.referred_on = report_referral_facts.referred_on AND o.event_id < report_referral_facts.event_id)) AND o.issue_code = report_referral_facts.issue_code AND o.within_remit = 1) END
  WHERE client_id = NEW.client_id;
END;

CREATE TRIGGER `report_referrals_event_insert` AFTER INSERT ON `issue_status_events` WHEN NEW.status = 'referred' BEGIN
  INSERT INTO report_referral_facts_add VALUES (NEW.id);
  INSERT INTO report_referral_facts_recompute SELECT ci.client_id FROM client_issues ci WHERE ci.id = NEW.client_issue_id;
END;

CREATE TRIGGER `report_referrals_event_update` AFTER UPDATE OF status, changed_on, client_issue_id ON `issue_status_events` BEGIN
  DELETE FROM report_referral_facts WHERE event_id = OLD.id;
  INSERT INTO report_referral_facts_add VALUES (NEW.id);
  INSERT INTO report_referral_facts_recompute SELECT DISTINCT ci.client_id FROM client_issues ci WHERE ci.id IN (OLD.client_issue_id, NEW.client_issue_id);
END;

CREATE TRIGGER `report_referrals_event_delete` AFTER DELETE ON `issue_status_events` WHEN OLD.status = 'referred' BEGIN
  DELETE FROM report_referral_facts WHERE event_id = OLD.id;
  INSERT INTO report_referral_facts_recompute SELECT ci.client_id FROM client_issues ci WHERE ci.id = OLD.client_issue_id;
END;

CREATE TRIGGER `report_referrals_issue_update` AFTER UPDATE OF referred_to, issue_code, within_remit, client_id ON `client_issues` BEGIN
  UPDATE report_referral_facts SET destination = NEW.referred_to, issue_code = NEW.issue_code, category_key = substr(NEW.issue_code, 1, 3),
         within_remit = NEW.within_remit, client_id = NEW.client_id, sector = (SELECT c.postcode_sector FROM clients c WHERE c.id = NEW.client_id)
  WHERE issue_id = NEW.id;
  INSERT INTO report_referral_facts_recompute SELECT OLD.client_id UNION SELECT NEW.client_id;
END;

CREATE TRIGGER `report_referrals_issue_delete` AFTER DELETE ON `client_issues` BEGIN
  DELETE FROM report_referral_facts WHERE issue_id = OLD.id;
  INSERT INTO report_referral_facts_recompute VALUES (OLD.client_id);
END;

CREATE TRIGGER `report_referrals_client_geography` AFTER UPDATE OF postcode_sector ON `clients` BEGIN
  UPDATE report_referral_facts SET sector = NEW.postcode_sector WHERE client_id = NEW.id;
END;
