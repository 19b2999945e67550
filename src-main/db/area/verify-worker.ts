/**
 * A verification worker thread (see verify-pool.ts): verifies bundle files handed to it and
 * sends back each one ready to store, or why it is refused. It holds no database: which keys are
 * trusted comes with the batch, as a snapshot, so an untrusted or revoked key's payload is still
 * never read; the importing thread checks the register again inside each file's transaction.
 */
import { parentPort } from 'node:worker_threads';
import { signerRefusal, transferablesOf, type SignerStanding } from '../../core/area/import-ready.ts';
import { verifyForImport, type VerifyRequest, type WorkerMessage } from './verify-task.ts';

const port = parentPort;
if (!port) throw new Error('verify-worker.ts runs as a worker thread only.');

/** Snapshots of the trusted keys, by batch; only the latest few are kept. */
const snapshots = new Map<number, Map<string, SignerStanding>>();

port.on('message', (message: WorkerMessage) => {
  if (message.type === 'signers') {
    snapshots.set(message.version, new Map(message.signers));
    for (const version of snapshots.keys()) if (version < message.version - 8) snapshots.delete(version);
    return;
  }
  void verifyOne(message);
});

async function verifyOne(request: VerifyRequest): Promise<void> {
  const signers = snapshots.get(request.version) ?? new Map<string, SignerStanding>();
  const bytes = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength);
  const outcome = await verifyForImport(bytes, (signer) => signerRefusal(signer, signers.get(signer.fingerprint)));
  if (outcome.ok) port!.postMessage({ id: request.id, outcome }, transferablesOf(outcome.ready));
  else port!.postMessage({ id: request.id, outcome });
}

port.postMessage({ ready: true });
