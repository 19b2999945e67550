/**
 * One bundle file verified for import — the same function whether it runs in a worker thread
 * (verify-worker.ts) or in the importing thread — and the messages between pool and workers.
 */
import { toImportReady, type ImportReady, type SignerRefusal, type SignerStanding } from '../../core/area/import-ready.ts';
import { BundleVerifyError, verifyBundleOrThrow, type SignerIdentity, type VerifyFailureReason } from '../../core/bundle/verify.ts';

export type VerifyOutcome = { ok: true; ready: ImportReady } | { ok: false; reason: VerifyFailureReason | SignerRefusal['reason']; message: string };

class SignerRefused extends Error {
  constructor(readonly refusal: SignerRefusal) {
    super(refusal.message);
  }
}

/** Verifies a file; `checkSigner` may refuse its key before the payload is read. Never throws. */
export async function verifyForImport(bytes: Buffer, checkSigner: (signer: SignerIdentity) => SignerRefusal | null): Promise<VerifyOutcome> {
  try {
    const verified = await verifyBundleOrThrow(bytes, {
      checkSigner: (signer) => {
        const refusal = checkSigner(signer);
        if (refusal) throw new SignerRefused(refusal);
      },
    });
    return { ok: true, ready: toImportReady(verified) };
  } catch (error) {
    if (error instanceof SignerRefused) return { ok: false, ...error.refusal };
    if (error instanceof BundleVerifyError) return { ok: false, reason: error.reason, message: error.message };
    return { ok: false, reason: 'malformed-zip', message: (error as Error).message };
  }
}

export interface SignersMessage {
  type: 'signers';
  version: number;
  signers: [string, SignerStanding][];
}

export interface VerifyRequest {
  type: 'verify';
  id: number;
  version: number;
  bytes: Uint8Array;
}

export type WorkerMessage = SignersMessage | VerifyRequest;
