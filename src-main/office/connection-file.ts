/**
 * A client PC's whole NeedMap state: which office server it connects to, the fingerprint it pins,
 * and the id and secret it made for itself when it was first paired. Nothing else — no case
 * data — is kept on a client PC. `office-connection.json` in the user's data folder, readable by
 * this user only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { formatOfficeAddress, parseOfficeAddress, type OfficeAddress } from '../core/office/address.ts';
import { DeviceId, DeviceName, DeviceSecret } from './protocol.ts';
import { readPrivateFile, writePrivateFile } from '../private-files.ts';

const ConnectionFile = z.object({
  format: z.literal('needmap-office-connection'),
  server: z.string(),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  device: z.object({ id: DeviceId, secret: DeviceSecret, name: DeviceName }),
  createdAt: z.string(),
});

export interface OfficeConnection {
  server: OfficeAddress;
  fingerprint: string;
  device: { id: string; secret: string; name: string };
  createdAt: string;
}

export function connectionFileIn(userDataDir: string): string {
  return path.join(userDataDir, 'office-connection.json');
}

/** This PC's connection, or null when it is not a client of an office server. */
export function readConnection(userDataDir: string): OfficeConnection | null {
  const file = connectionFileIn(userDataDir);
  const text = readPrivateFile(file);
  if (text === null) return null;
  let raw: unknown = null;
  try {
    raw = JSON.parse(text);
  } catch {
    // Reported below.
  }
  const parsed = ConnectionFile.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not a NeedMap office connection; remove it and set this PC up again.`);
  return { ...parsed.data, server: parseOfficeAddress(parsed.data.server) };
}

export function writeConnection(userDataDir: string, connection: OfficeConnection): void {
  const content = { format: 'needmap-office-connection', ...connection, server: formatOfficeAddress(connection.server) };
  writePrivateFile(connectionFileIn(userDataDir), JSON.stringify(content, null, 2) + '\n');
}

/** The connection to `server`: the saved one when it is the same server and certificate (its approval stands), else a new identity for this PC. */
export function connectionFor(userDataDir: string, server: OfficeAddress, fingerprint: string, deviceName?: string): OfficeConnection {
  const saved = readConnection(userDataDir);
  if (saved && formatOfficeAddress(saved.server) === formatOfficeAddress(server) && saved.fingerprint === fingerprint) {
    return deviceName && deviceName !== saved.device.name ? { ...saved, device: { ...saved.device, name: deviceName } } : saved;
  }
  return {
    server,
    fingerprint,
    device: { id: randomUUID(), secret: randomBytes(32).toString('base64url'), name: DeviceName.parse(deviceName ?? defaultDeviceName()) },
    createdAt: new Date().toISOString(),
  };
}

function defaultDeviceName(): string {
  const name = os
    .hostname()
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, 60);
  return name || 'Office PC';
}
