/**
 * Office server addresses and pairing codes (pure). An address is where the office server
 * listens: an IPv4 address or a bracketed IPv6 one, with a port ("192.168.1.10:47470",
 * "[fd00::5]:47470"). A pairing code carries the address and the certificate's SHA-256
 * fingerprint in one line an admin can copy from the server PC to another PC:
 * `needmap-office://192.168.1.10:47470/<64 hex digits>`.
 */
import { normaliseFingerprint } from '../bundle/package.ts';

export interface OfficeAddress {
  /** An IP address (v4 dotted, or v6 without brackets). */
  host: string;
  port: number;
}

/** The office server's port unless the admin chooses another. */
export const DEFAULT_OFFICE_PORT = 47470;

export class AddressError extends Error {
  override name = 'AddressError';
}

/**
 * "ADDRESS:PORT" (or "ADDRESS" alone, meaning the default port) → an address. Only IP addresses:
 * a name would be resolved on every connection, and on a small office network names are the
 * first thing to go wrong. Port 0 asks the system for any free port (tests).
 */
export function parseOfficeAddress(text: string, options: { allowAnyPort?: boolean } = {}): OfficeAddress {
  const value = text.trim();
  const match = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(value) ?? /^([0-9.]+)(?::(\d{1,5}))?$/.exec(value);
  if (!match)
    throw new AddressError(`"${text.slice(0, 80)}" is not an address: give the server's IP address and port, e.g. 192.168.1.10:${DEFAULT_OFFICE_PORT}.`);
  const host = match[1]!;
  if (isIP(host) === 0) throw new AddressError(`"${host.slice(0, 60)}" is not an IP address.`);
  const port = match[2] === undefined ? DEFAULT_OFFICE_PORT : Number(match[2]);
  const lowest = options.allowAnyPort ? 0 : 1;
  if (!Number.isInteger(port) || port < lowest || port > 65535) throw new AddressError(`The port must be ${lowest}–65535 (got ${match[2]}).`);
  return { host, port };
}

/**
 * 4 or 6 for an IP address, 0 for anything else (as node:net's isIP, which core may not import).
 * IPv4: four decimal parts 0–255 without leading zeros; IPv6: whatever the WHATWG URL parser
 * accepts between brackets, the same parser browsers and Node use for addresses in links.
 */
export function isIP(host: string): 0 | 4 | 6 {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host.split('.').every((part) => Number(part) <= 255 && !/^0\d/.test(part)) ? 4 : 0;
  if (!host.includes(':') || !/^[0-9a-fA-F:.]+$/.test(host)) return 0;
  try {
    new URL(`http://[${host}]/`);
    return 6;
  } catch {
    return 0;
  }
}

export function formatOfficeAddress(address: OfficeAddress): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** Whether the address is on this computer only (127.0.0.0/8 or ::1). */
export function isLoopback(host: string): boolean {
  return host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

const PAIRING_PREFIX = 'needmap-office://';

export function pairingCode(address: OfficeAddress, fingerprint: string): string {
  return `${PAIRING_PREFIX}${formatOfficeAddress(address)}/${fingerprint.toLowerCase()}`;
}

/** A pairing code (spaces and line breaks ignored, as a code pasted from an e-mail may have them) → its address and fingerprint. */
export function parsePairingCode(code: string): { address: OfficeAddress; fingerprint: string } {
  const compact = code.replace(/\s+/g, '');
  if (!compact.toLowerCase().startsWith(PAIRING_PREFIX)) {
    throw new AddressError(`A pairing code starts with ${PAIRING_PREFIX}: copy the whole code shown on the office server's Settings page.`);
  }
  const rest = compact.slice(PAIRING_PREFIX.length);
  const slash = rest.lastIndexOf('/');
  if (slash < 0) throw new AddressError('This pairing code has no fingerprint: copy the whole code.');
  const fingerprint = normaliseFingerprint(rest.slice(slash + 1));
  if (!fingerprint) throw new AddressError("This pairing code's fingerprint is not 64 hex digits: copy the whole code.");
  return { address: parseOfficeAddress(rest.slice(0, slash)), fingerprint };
}

/** Why the office server could not listen on an address, in words for Settings and the log. */
export function describeListenError(error: unknown, listen: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `another program already uses the port of ${listen}: choose another port.`;
  if (code === 'EADDRNOTAVAIL') return `${listen} is not an address of this PC (any more): choose its address again in Settings.`;
  return `${listen} could not be used (${(error as Error).message}).`;
}
