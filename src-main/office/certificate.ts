/**
 * The office server's TLS certificate: made on first use and kept beside the database
 * (`needmap.db.office/certificate.pem` and `private-key.pem`, the key readable by this user only).
 * Client PCs do not trust it through any certificate authority: they pin its SHA-256 fingerprint,
 * which staff check by reading it aloud (grouped like the bundle signing key's fingerprint).
 *
 * Made with `selfsigned` (maintained, built on @peculiar/x509 and Node's own WebCrypto): an
 * ECDSA P-256 key and a self-signed X.509 certificate signed with SHA-256.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { generate } from 'selfsigned';
import { groupedFingerprint } from '../core/bundle/package.ts';
import { readPrivateFile, writePrivateFile } from '../private-files.ts';

export interface OfficeCertificate {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the certificate's DER bytes, 64 lower-case hex digits (what clients pin). */
  fingerprint: string;
  /** The same in groups of four, upper case, for reading aloud. */
  groupedFingerprint: string;
  /** When it was made (its notBefore). */
  createdAt: string;
}

/** The folder beside the database that holds the office server's own files. */
export function officeFolderFor(dbFile: string): string {
  return `${path.resolve(dbFile)}.office`;
}

/** SHA-256 of a certificate's DER encoding, lower-case hex (as `X509Certificate.fingerprint256`, without colons). */
export function certificateFingerprint(certPemOrDer: string | Buffer): string {
  return new crypto.X509Certificate(certPemOrDer).fingerprint256.replace(/:/g, '').toLowerCase();
}

function describe(certPem: string, keyPem: string): OfficeCertificate {
  const x509 = new crypto.X509Certificate(certPem);
  if (!x509.checkPrivateKey(crypto.createPrivateKey(keyPem))) throw new Error('The office certificate and its private key do not belong together.');
  const fingerprint = certificateFingerprint(certPem);
  return { certPem, keyPem, fingerprint, groupedFingerprint: groupedFingerprint(fingerprint), createdAt: new Date(x509.validFrom).toISOString() };
}

/** The certificate in `folder`, made (and saved) first if there is none. */
export async function loadOrCreateCertificate(folder: string): Promise<OfficeCertificate> {
  const certFile = path.join(folder, 'certificate.pem');
  const keyFile = path.join(folder, 'private-key.pem');
  const keyPem = readPrivateFile(keyFile);
  const certPem = readPrivateFile(certFile);
  if (keyPem !== null && certPem !== null) return describe(certPem, keyPem);
  const notBefore = new Date(Date.now() - 60_000);
  const made = await generate([{ name: 'commonName', value: 'NeedMap office server' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    // Clients pin the fingerprint, not a date: a long life means no surprise expiry in an office with no IT staff.
    notAfterDate: new Date(notBefore.getTime() + 20 * 365.25 * 24 * 3600_000),
  });
  // The key first: a certificate without its key is useless, the other way round is made again.
  writePrivateFile(keyFile, made.private);
  writePrivateFile(certFile, made.cert);
  return describe(made.cert, made.private);
}
