/** The aggregate bundle's handlers: preview, export (file or download), log, keys, settings. */
import { groupedFingerprint } from '../../core/bundle/package.ts';
import { bundleFileName, exportBundle, exportLog, getBundleSettings, previewPayload, setBundleSettings } from '../../db/bundle/export.ts';
import { clearLinkageKey, linkageKeyStatus, setLinkageKey } from '../../db/bundle/linkage-key.ts';
import { RecordError } from '../../core/errors.ts';
import { allSigningKeys, currentSigningKey, KeyUnlockError, rotateSigningKey } from '../../db/bundle/signing-keys.ts';
import { BUNDLE_POLICY_SOURCES, type bundleCalls } from '../contract/bundle.ts';
import type { AppContext, HandlersFor } from '../context.ts';

const NO_KEY_YET = '0'.repeat(64);

/** A key that cannot be unlocked is the user's to fix (passphrase), not an internal error. */
function unlockProblem(error: unknown): never {
  if (error instanceof KeyUnlockError) {
    throw new RecordError('invalid_input', error.message, { passphrase: [error.message] });
  }
  throw error;
}

function settingsOut(ctx: AppContext) {
  return { ...getBundleSettings(ctx.caseDb.db), policies: BUNDLE_POLICY_SOURCES, linkageKey: linkageKeyStatus(ctx.caseDb.db) };
}

export const bundleHandlers: HandlersFor<typeof bundleCalls> = {
  'bundle.preview': (input, ctx) => {
    const key = currentSigningKey(ctx.caseDb.db);
    let payload;
    try {
      payload = previewPayload(ctx.caseDb, ctx.taxonomy, {
        from: input.from,
        to: input.to,
        softwareVersion: ctx.version,
        fingerprint: key?.fingerprint ?? NO_KEY_YET,
        keySources: { passphrase: input.passphrase },
      });
    } catch (error) {
      return unlockProblem(error);
    }
    return { payload, keyExists: key !== null };
  },

  'bundle.export': async (input, ctx) => {
    if (input.path !== undefined && ctx.host === 'browser') {
      throw new RecordError('invalid_input', 'In browser mode the bundle is downloaded, not written to a path.', {
        path: ['In browser mode the bundle is downloaded, not written to a path.'],
      });
    }
    const result = await exportBundle(ctx.caseDb, ctx.taxonomy, {
      from: input.from,
      to: input.to,
      softwareVersion: ctx.version,
      keySources: { passphrase: input.passphrase },
      ...(input.path !== undefined ? { outFile: input.path } : {}),
    }).catch(unlockProblem);
    return {
      sequence: result.sequence,
      fileName: bundleFileName(result.payload.organisation.id, input.from, input.to, result.sequence),
      fingerprint: result.fingerprint,
      groupedFingerprint: groupedFingerprint(result.fingerprint),
      payloadSha256: result.payloadSha256,
      byteSize: result.file.length,
      path: input.path ?? null,
      base64: input.path === undefined ? result.file.toString('base64') : null,
    };
  },

  'bundle.log': (_input, ctx) => ({
    entries: exportLog(ctx.caseDb.db).map(({ id: _id, ...entry }) => entry),
  }),

  'bundle.keyInfo': (_input, ctx) => {
    const keys = allSigningKeys(ctx.caseDb.db);
    return { current: keys.find((k) => k.retiredAt === null) ?? null, previous: keys.filter((k) => k.retiredAt !== null) };
  },

  'bundle.rotateKey': (input, ctx) => {
    try {
      return rotateSigningKey(ctx.caseDb.db, { passphrase: input.passphrase });
    } catch (error) {
      return unlockProblem(error);
    }
  },

  'bundle.settings': (input, ctx) => {
    // The linkage key first: it is the change that can fail (passphrase), and then nothing else is changed.
    try {
      if (input.linkageKey === null) clearLinkageKey(ctx.caseDb.db);
      else if (input.linkageKey !== undefined) setLinkageKey(ctx.caseDb.db, input.linkageKey, { passphrase: input.passphrase });
    } catch (error) {
      return unlockProblem(error);
    }
    if (input.organisation !== undefined || input.policy !== undefined) {
      setBundleSettings(ctx.caseDb.db, {
        ...(input.organisation ? { organisation: input.organisation } : {}),
        ...(input.policy ? { policy: input.policy } : {}),
      });
    }
    return settingsOut(ctx);
  },
};
