import fs from 'node:fs';
import { eraseClient } from '../db/protect/erase.ts';
import { erasureSummary } from '../db/protect/personal-data.ts';
import { RecordError } from '../core/errors.ts';
import { UsageError, positiveInt, requireString, type Command } from './command.ts';
import { KEY_HELP, caseDbKey, keyFileOption } from './db-key.ts';
import { openForWriting } from './writer.ts';

const usage = 'needmap erase --db FILE --client ID [--key-file FILE]';

export const eraseCommand: Command = {
  name: 'erase',
  summary: "Erase a client's identifying details for good (right to erasure), keeping the anonymous facts reports count.",
  usage: `${usage}

  --db FILE        case database
  --client ID      the client's id
${KEY_HELP}`,
  options: { db: { type: 'string' }, client: { type: 'string' }, ...keyFileOption },
  run(values) {
    const dbFile = requireString(values, 'db', usage);
    const clientId = positiveInt(requireString(values, 'client', usage), 'client');
    if (!fs.existsSync(dbFile)) throw new UsageError(`No database at ${dbFile}.`);
    const key = caseDbKey(values, dbFile);
    const opened = openForWriting(dbFile, key, 'needmap erase');
    try {
      const result = eraseClient(opened.caseDb, clientId);
      const { removed, kept } = erasureSummary();
      opened.audit('client.erase', `client:${clientId}`, { via: 'cli' });
      process.stdout.write(
        `Erased client ${clientId} at ${result.erasedAt}.\n` +
          `Removed: ${removed.join('; ')} (${result.contactNotesCleared} contact notes, ${result.statusNotesCleared} status notes).\n` +
          `Kept: ${kept.join('; ')}.\n` +
          (result.walTruncated ? '' : 'Warning: another program has the database open, so its WAL could not be truncated yet; close it and run again.\n'),
      );
      return result.walTruncated ? 0 : 1;
    } catch (error) {
      if (error instanceof RecordError) throw new Error(error.message, { cause: error });
      throw error;
    } finally {
      opened.close();
    }
  },
};
