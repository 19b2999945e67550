/**
 * The office server's register of client PCs ("devices"). A PC asks to be paired with a random
 * id and secret it made itself; an admin on the server approves it once (or revokes it later);
 * after that every request it makes carries the id and secret. Only the secret's SHA-256 is
 * kept. The register lives beside the database (`needmap.db.office/devices.json`, this user
 * only), not in it: the server must recognise a PC before anyone has logged in, and an encrypted
 * database stays closed until someone does.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { groupedFingerprint } from '../core/bundle/package.ts';
import { readPrivateFile, writePrivateFile } from '../private-files.ts';

export const DeviceState = z.enum(['pending', 'approved', 'revoked']);
export type DeviceState = z.infer<typeof DeviceState>;

const DeviceRecord = z.object({
  id: z.string().uuid(),
  name: z.string().min(1).max(60),
  secretSha256: z.string().regex(/^[0-9a-f]{64}$/),
  state: DeviceState,
  requestedAt: z.string(),
  requestedFrom: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  lastSeenFrom: z.string().nullable(),
});
export type DeviceRecord = z.infer<typeof DeviceRecord>;

const RegisterFile = z.object({ format: z.literal('needmap-office-devices'), devices: z.array(DeviceRecord) });

/** Pending requests beyond this many push out the oldest pending one (approved PCs are never dropped). */
export const MAX_PENDING_DEVICES = 20;
/** Last-seen times are written to disk at most this often (they change on every request). */
const LAST_SEEN_FLUSH_MS = 60_000;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The short code both screens show for a PC, so the admin approves the PC that is really asking. */
export function deviceCode(deviceId: string): string {
  return groupedFingerprint(sha256(`needmap-device:${deviceId}`).slice(0, 8));
}

export class DeviceConflict extends Error {
  override name = 'DeviceConflict';
}

export class DeviceRegister {
  private readonly devices = new Map<string, DeviceRecord>();
  private dirtySince: number | null = null;

  constructor(readonly file: string) {
    const text = readPrivateFile(file);
    if (text === null) return;
    const parsed = RegisterFile.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${file} is not a NeedMap device register; move it aside and pair the office PCs again.`);
    for (const device of parsed.data.devices) this.devices.set(device.id, device);
  }

  static besideDatabase(officeFolder: string): DeviceRegister {
    return new DeviceRegister(path.join(officeFolder, 'devices.json'));
  }

  list(): DeviceRecord[] {
    return [...this.devices.values()].sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  }

  get(id: string): DeviceRecord | null {
    return this.devices.get(id) ?? null;
  }

  /**
   * A PC asks to be paired (or asks again how its request stands): a new id becomes a pending
   * request; a known id with the same secret gets its record back; a known id with another
   * secret is refused (someone else's id).
   */
  requestPairing(request: { id: string; name: string; secret: string; from: string }, now = new Date()): DeviceRecord {
    const digest = sha256(request.secret);
    const known = this.devices.get(request.id);
    if (known) {
      if (!sameDigest(known.secretSha256, digest)) throw new DeviceConflict('That device id is already paired with another secret.');
      return known;
    }
    const pending = this.list().filter((d) => d.state === 'pending');
    if (pending.length >= MAX_PENDING_DEVICES) this.devices.delete(pending[0]!.id);
    const record: DeviceRecord = {
      id: request.id,
      name: request.name,
      secretSha256: digest,
      state: 'pending',
      requestedAt: now.toISOString(),
      requestedFrom: request.from,
      decidedAt: null,
      decidedBy: null,
      lastSeenAt: now.toISOString(),
      lastSeenFrom: request.from,
    };
    this.devices.set(record.id, record);
    this.save();
    return record;
  }

  /** The device an id and secret belong to (whatever its state), or null; notes when and where it was seen. */
  authenticate(id: string, secret: string, from: string, now = new Date()): DeviceRecord | null {
    const device = this.devices.get(id);
    // The same hashing whether or not the id exists, so timing does not tell which ids do.
    const digest = sha256(secret);
    if (!device || !sameDigest(device.secretSha256, digest)) return null;
    device.lastSeenAt = now.toISOString();
    device.lastSeenFrom = from;
    this.dirtySince ??= now.getTime();
    if (now.getTime() - this.dirtySince >= LAST_SEEN_FLUSH_MS) this.save();
    return device;
  }

  decide(id: string, state: 'approved' | 'revoked', by: string, now = new Date()): DeviceRecord | null {
    const device = this.devices.get(id);
    if (!device) return null;
    device.state = state;
    device.decidedAt = now.toISOString();
    device.decidedBy = by;
    this.save();
    return device;
  }

  /** Writes the register now (last-seen times included). */
  save(): void {
    writePrivateFile(this.file, JSON.stringify({ format: 'needmap-office-devices', devices: this.list() }, null, 2) + '\n');
    this.dirtySince = null;
  }

  /** Writes pending last-seen times, if any (at close). */
  flush(): void {
    if (this.dirtySince !== null) this.save();
  }
}

function sameDigest(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
