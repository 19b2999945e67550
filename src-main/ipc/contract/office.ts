/**
 * The office server's calls (issue 16): sharing this PC's database with the office's other PCs,
 * approving and revoking those PCs, and, on a fresh PC, connecting to an office server instead of
 * keeping a database of its own. On a client PC `office.connection` is answered by the PC itself
 * (src-main/office/forwarder.ts); every other call goes to the server.
 */
import { z } from 'zod';

const DeviceStateOut = z.enum(['pending', 'approved', 'revoked']);

const OfficeDevice = z.object({
  id: z.string(),
  name: z.string(),
  /** The short code the PC itself shows, to check before approving. */
  code: z.string(),
  state: DeviceStateOut,
  requestedAt: z.string(),
  requestedFrom: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  lastSeenFrom: z.string().nullable(),
});
export type OfficeDevice = z.infer<typeof OfficeDevice>;

const ShareStatus = z.object({
  sharing: z.boolean(),
  listen: z.string().nullable(),
  addresses: z.array(z.object({ address: z.string(), label: z.string() })),
  fingerprint: z.string().nullable(),
  groupedFingerprint: z.string().nullable(),
  pairingCode: z.string().nullable(),
  /** Why sharing is off although an admin had turned it on (it could not start again, e.g. the PC's address changed). */
  problem: z.string().nullable(),
  devices: z.array(OfficeDevice),
});

const deviceId = z.string().uuid({ message: 'That is not a device id.' });

export const officeCalls = {
  /** What this PC is: on its own, the office server, or a client of one (and then whether the server answers). */
  'office.connection': {
    input: z.object({}),
    output: z.object({
      mode: z.enum(['standalone', 'server', 'client']),
      server: z.object({ address: z.string(), groupedFingerprint: z.string() }).nullable(),
      device: z.object({ name: z.string(), code: z.string(), state: z.enum(['pending', 'approved', 'revoked', 'unknown']) }).nullable(),
      reachable: z.boolean().nullable(),
      message: z.string().nullable(),
      /** A fresh PC (no accounts yet) may still be set up to connect to an office server. */
      canConnect: z.boolean(),
    }),
  },
  /** On a fresh PC: connect to the office server (pairing code, or address and fingerprint) and ask to be approved. */
  'office.connect': {
    input: z
      .object({
        pairingCode: z.string().trim().max(300).optional(),
        address: z.string().trim().max(100).optional(),
        fingerprint: z.string().trim().max(200).optional(),
        deviceName: z
          .string()
          .trim()
          .min(1, { message: 'Give this PC a name, e.g. "Reception PC".' })
          .max(60, { message: 'A PC name is at most 60 characters.' }),
      })
      .refine((v) => Boolean(v.pairingCode) || (Boolean(v.address) && Boolean(v.fingerprint)), {
        message: 'Paste the pairing code, or give the address and the fingerprint.',
        path: ['pairingCode'],
      }),
    output: z.object({ state: z.string(), code: z.string() }),
  },
  'office.status': { input: z.object({}), output: ShareStatus },
  /** Turn sharing on (on `listen`, "ADDRESS:PORT") or off. At the server PC only. */
  'office.share': {
    input: z.object({ sharing: z.boolean(), listen: z.string().trim().max(100).optional() }),
    output: ShareStatus,
  },
  'office.approveDevice': { input: z.object({ deviceId }), output: ShareStatus },
  'office.revokeDevice': { input: z.object({ deviceId }), output: ShareStatus },
} as const;
