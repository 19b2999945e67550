/**
 * The aggregate bundle's part of the contract (see ../contract.ts): preview, export, the export
 * log, the signing key and the bundle settings. Imports only zod and pure core modules.
 *
 * Export and the two hosts: in the Electron app `bundle.export` with `path` (from a save dialog)
 * writes the file there and returns `path`; without `path` — and always in browser mode, where
 * the local HTTP host must never write to a path a web page names — it writes nothing to disk and
 * returns the file's bytes as `base64` for the page to offer as a download. Either way the export
 * is logged and its sequence number used.
 */
import { z } from 'zod';
import { DISCLOSURE_POLICIES, DISCLOSURE_POLICY_NAMES } from '../../core/bundle/disclosure.ts';
import { LinkageKey } from '../../core/bundle/match-keys.ts';
import { OrganisationSetting } from '../../core/bundle/organisation.ts';
import { BundlePayload, MONTH_PATTERN } from '../../core/bundle/schema.ts';

const month = (which: string) =>
  z
    .string({ message: `Choose the ${which} month.` })
    .trim()
    .regex(MONTH_PATTERN, { message: `The ${which} month must be written YYYY-MM.` });

const period = { from: month('first'), to: month('last') };

const passphrase = z
  .string()
  .min(8, { message: 'The signing passphrase is at least 8 characters.' })
  .max(1024)
  .optional()
  .describe('Only for a passphrase-protected signing key (and area linkage key), when NEEDMAP_SIGNING_PASSPHRASE is not set.');

/** Whether the area linkage key is set and its public key id: never the key itself. */
export const LinkageKeyStatus = z.object({ set: z.boolean(), keyId: z.string().nullable() });

export const SigningKeyInfo = z.object({
  fingerprint: z.string(),
  /** In groups of four for reading aloud. */
  groupedFingerprint: z.string(),
  publicKeyPem: z.string(),
  protection: z.string(),
  createdAt: z.string(),
  retiredAt: z.string().nullable(),
});

export const BundleLogEntry = z.object({
  sequence: z.number().int(),
  fromMonth: z.string(),
  toMonth: z.string(),
  createdAt: z.string(),
  fingerprint: z.string(),
  policy: z.string(),
  payloadSha256: z.string(),
  byteSize: z.number().int(),
  file: z.string().nullable(),
});

const SettingsOut = z.object({
  organisation: OrganisationSetting.nullable(),
  policy: z.enum(DISCLOSURE_POLICY_NAMES),
  /** Every policy with its source, for the Settings page to explain. */
  policies: z.array(z.object({ name: z.enum(DISCLOSURE_POLICY_NAMES), source: z.string() })),
  /** Match keys are added to every export while this is set. */
  linkageKey: LinkageKeyStatus,
});

export const BUNDLE_POLICY_SOURCES = DISCLOSURE_POLICY_NAMES.map((name) => ({ name, source: DISCLOSURE_POLICIES[name].description.source }));

export const bundleCalls = {
  /** Every table exactly as the receiver will see it (suppressed cells have status "suppressed"); nothing is signed or logged. */
  'bundle.preview': {
    /** `passphrase` only matters when an area linkage key is set: the preview then includes the match keys. */
    input: z.object({ ...period, passphrase }),
    output: z.object({
      payload: BundlePayload,
      /** False before the first export: the fingerprint shown is then all zeros, the key is made on export. */
      keyExists: z.boolean(),
    }),
  },
  'bundle.export': {
    input: z.object({
      ...period,
      path: z.string().trim().min(1).max(4096).optional(),
      passphrase,
    }),
    output: z.object({
      sequence: z.number().int(),
      fileName: z.string(),
      fingerprint: z.string(),
      groupedFingerprint: z.string(),
      payloadSha256: z.string(),
      byteSize: z.number().int(),
      path: z.string().nullable(),
      base64: z.string().nullable(),
    }),
  },
  'bundle.log': { input: z.object({}), output: z.object({ entries: z.array(BundleLogEntry) }) },
  'bundle.keyInfo': {
    input: z.object({}),
    output: z.object({ current: SigningKeyInfo.nullable(), previous: z.array(SigningKeyInfo) }),
  },
  'bundle.rotateKey': { input: z.object({ passphrase }), output: SigningKeyInfo },
  /**
   * Get (empty input) or change the organisation, the disclosure policy and the shared area
   * linkage key (a string sets it, sealed like the signing key — with `passphrase` when that is
   * how the signing key is protected; null clears it and so turns match keys off).
   */
  'bundle.settings': {
    input: z.object({
      organisation: OrganisationSetting.optional(),
      policy: z.enum(DISCLOSURE_POLICY_NAMES, { message: `Choose a disclosure policy (${DISCLOSURE_POLICY_NAMES.join(' or ')}).` }).optional(),
      linkageKey: LinkageKey.nullable().optional(),
      passphrase,
    }),
    output: SettingsOut,
  },
} as const;
