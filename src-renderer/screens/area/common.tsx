/** Small pieces the Area picture's views share: loading a call with a reload, labels, file reading. */

/** Calls with a reload, shared with the reports (src-renderer/use-call.ts). */
export { useCall as useAreaCall } from '../../use-call.ts';

const monthFormat = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
export function monthLabel(month: string): string {
  return /^\d{4}-\d{2}$/.test(month) ? monthFormat.format(new Date(month + '-01T00:00:00Z')) : month;
}

const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
export function whenLabel(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

export function signedPercent(change: number | null): string {
  if (change === null) return 'new';
  const rounded = Math.round(change * 100);
  return `${rounded > 0 ? '+' : ''}${rounded}%`;
}

/** A file's bytes as base64 (what area.import takes from a picker or a drop). */
export { readAsBase64 } from '../../download.ts';

/** SHA-256 of a PEM public key's DER body, grouped like the app shows it; null when it is not PEM. */
export async function pemFingerprint(pem: string): Promise<string | null> {
  const match = /-----BEGIN PUBLIC KEY-----([\s\S]+?)-----END PUBLIC KEY-----/.exec(pem);
  if (!match || !globalThis.crypto?.subtle) return null;
  try {
    const der = Uint8Array.from(atob(match[1]!.replace(/\s+/g, '')), (c) => c.charCodeAt(0));
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', der));
    return groupFingerprint([...digest].map((b) => b.toString(16).padStart(2, '0')).join(''));
  } catch {
    return null;
  }
}

export function groupFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/.{1,4}/g) ?? []).join(' ');
}

/** "pr1 2; PR1  3" → ["PR1 2", "PR1 3"]: what a sectors field holds, as the contract takes it. */
export function parseSectorList(text: string): string[] {
  return text
    .split(/[,;\n]+/)
    .map((s) => s.trim().toUpperCase().replace(/\s+/g, ' '))
    .filter(Boolean);
}

/** A call's field errors by top-level field ("sectors.2" → "sectors"), for the form's fields. */
export function topLevelFieldErrors(fieldErrors: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [path, messages] of Object.entries(fieldErrors)) {
    const field = path.split('.')[0]!;
    out[field] = [...(out[field] ?? []), ...messages];
  }
  return out;
}

export function AreaError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="error-summary" role="alert">
      {message}
    </div>
  );
}
