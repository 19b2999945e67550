import fs from 'node:fs';
import { createAppContext } from '../app-context.ts';
import { DISCLOSURE_POLICY_NAMES, type DisclosurePolicyName } from '../core/bundle/disclosure.ts';
import { LinkageKey } from '../core/bundle/match-keys.ts';
import { groupedFingerprint } from '../core/bundle/package.ts';
import { universeSize } from '../core/bundle/schema.ts';
import { exportBundle, OrganisationSetting, setBundleSettings } from '../db/bundle/export.ts';
import { RecordError } from '../core/errors.ts';
import { KeyUnlockError, PASSPHRASE_ENV } from '../db/bundle/signing-keys.ts';
import { defaultAppPaths } from '../paths.ts';
import { UsageError, requireString, type Command } from './command.ts';
import { caseDbKey, keyFileOption } from './db-key.ts';

const usage =
  'needmap export --db FILE --from YYYY-MM --to YYYY-MM --out FILE [--org-id ID --org-name NAME] [--policy cell-key|nhs-england] [--linkage-key-file FILE]';

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write a signed, anonymised aggregate bundle (.needmap-bundle) for whole, closed months.',
  usage: `${usage}

  --db FILE        case database
  --from YYYY-MM   first month
  --to YYYY-MM     last month (must be over: never the current month)
  --out FILE       bundle file to write (must not exist yet)
  --org-id ID      save the organisation id first (needed once, e.g. a charity number)
  --org-name NAME  save the organisation name first (needed once)
  --policy NAME    save the disclosure policy first: cell-key (default) or nhs-england
  --linkage-key-file FILE
                   add match keys made with the shared area linkage key in FILE (this export
                   only; without it, the key stored in Settings is used if one is set).
                   Match keys are pseudonymised personal data: only under a data-sharing agreement.

  The signing key's passphrase is read from ${PASSPHRASE_ENV}; on the first export it creates
  the key and protects it with that passphrase. See docs/bundle-format.md.`,
  options: {
    db: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string' },
    'org-id': { type: 'string' },
    'org-name': { type: 'string' },
    policy: { type: 'string' },
    'linkage-key-file': { type: 'string' },
    ...keyFileOption,
  },
  async run(values) {
    const dbFile = requireString(values, 'db', usage);
    const from = requireString(values, 'from', usage);
    const to = requireString(values, 'to', usage);
    const out = requireString(values, 'out', usage);
    if (!fs.existsSync(dbFile)) throw new UsageError(`No database at ${dbFile}.`);
    if (fs.existsSync(out)) throw new UsageError(`${out} already exists; choose a new file name.`);
    const orgId = values['org-id'] as string | undefined;
    const orgName = values['org-name'] as string | undefined;
    if ((orgId === undefined) !== (orgName === undefined)) throw new UsageError('Give --org-id and --org-name together.');
    const policy = values.policy as string | undefined;
    if (policy !== undefined && !(DISCLOSURE_POLICY_NAMES as string[]).includes(policy)) {
      throw new UsageError(`--policy must be one of ${DISCLOSURE_POLICY_NAMES.join(', ')} (got "${policy}").`);
    }

    const linkageKeyFile = values['linkage-key-file'] as string | undefined;
    let linkageKey: string | undefined;
    if (linkageKeyFile !== undefined) {
      if (!fs.existsSync(linkageKeyFile)) throw new UsageError(`No linkage key file at ${linkageKeyFile}.`);
      const parsed = LinkageKey.safeParse(fs.readFileSync(linkageKeyFile, 'utf8'));
      if (!parsed.success) throw new UsageError(`${linkageKeyFile}: ${parsed.error.issues[0]!.message}`);
      linkageKey = parsed.data;
    }

    const ctx = createAppContext({ dbFile, paths: defaultAppPaths(), host: 'browser', key: caseDbKey(values, dbFile), lockPurpose: 'needmap export' });
    try {
      if (orgId !== undefined) {
        const parsed = OrganisationSetting.safeParse({ id: orgId, name: orgName });
        if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join(' '));
        setBundleSettings(ctx.caseDb.db, { organisation: parsed.data });
      }
      if (policy !== undefined) setBundleSettings(ctx.caseDb.db, { policy: policy as DisclosurePolicyName });
      const result = await exportBundle(ctx.caseDb, ctx.taxonomy, {
        from,
        to,
        outFile: out,
        softwareVersion: ctx.version,
        ...(linkageKey !== undefined ? { linkageKey } : {}),
      });
      const cells = result.payload.tables.reduce((n, t) => n + universeSize(t.universe), 0);
      process.stdout.write(
        `Exported ${out}: bundle #${result.sequence}, ${from} to ${to}, ${result.payload.disclosure.policy}, ` +
          `${result.payload.tables.length} tables, ${cells} cells, ${result.file.length} bytes.\n` +
          `Signer fingerprint: ${groupedFingerprint(result.fingerprint)}\n` +
          (result.payload.matchKeys
            ? `Match keys: ${result.payload.matchKeys.rows.length} rows, linkage key id ${result.payload.matchKeys.linkageKeyId} (pseudonymised personal data).\n`
            : ''),
      );
      return 0;
    } catch (error) {
      if (error instanceof RecordError) throw new UsageError(error.message, { cause: error });
      if (error instanceof KeyUnlockError) throw new Error(error.message, { cause: error });
      throw error;
    } finally {
      ctx.close();
    }
  },
};
