/**
 * "Share with this office", on the PC that keeps the database: turning the office server on and
 * off (remembered beside the database, so the app shares again when it restarts), its
 * certificate and pairing code, and the client PCs an admin approves or revokes. The running app
 * (desktop or `needmap serve`) attaches one to its AppContext as `ctx.office`; the office.* calls
 * use it.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { describeListenError, formatOfficeAddress, isLoopback, pairingCode, parseOfficeAddress, type OfficeAddress } from '../core/office/address.ts';
import type { AppContext } from '../ipc/context.ts';
import { closeIfNobodyLoggedIn } from '../ipc/permissions.ts';
import { loadOrCreateCertificate, officeFolderFor, type OfficeCertificate } from './certificate.ts';
import { deviceCode, DeviceRegister } from './devices.ts';
import { readPrivateFile, writePrivateFile } from '../private-files.ts';
import { restoreOfficeSessions, saveOfficeSessions, sessionsFileIn } from './saved-sessions.ts';
import { startOfficeServer, type OfficeServer } from './server.ts';
import { HOUSEKEEPING_INTERVAL_MS } from '../ipc/housekeeping.ts';
import { reportInternalError } from '../error-log.ts';

const ShareSettings = z.object({ format: z.literal('needmap-office-share'), sharing: z.boolean(), listen: z.string() });

export interface OfficeDeviceView {
  id: string;
  name: string;
  code: string;
  state: 'pending' | 'approved' | 'revoked';
  requestedAt: string;
  requestedFrom: string;
  decidedAt: string | null;
  decidedBy: string | null;
  lastSeenAt: string | null;
  lastSeenFrom: string | null;
}

export interface OfficeShareStatus {
  sharing: boolean;
  /** Where it listens (or would): "ADDRESS:PORT". */
  listen: string | null;
  /** The addresses of this PC an admin can choose from (its network cards, and this PC only). */
  addresses: { address: string; label: string }[];
  fingerprint: string | null;
  groupedFingerprint: string | null;
  pairingCode: string | null;
  /** Why sharing is off although an admin had turned it on (it could not start again). */
  problem: string | null;
  devices: OfficeDeviceView[];
}

export class OfficeShare {
  readonly folder: string;
  readonly devices: DeviceRegister;
  private server: OfficeServer | null = null;
  private certificate: OfficeCertificate | null = null;
  private stopSaving: (() => void) | null = null;
  private sessionsRestored = false;
  /** Why sharing could not resume at start, for Settings; null when it did (or was off). */
  private problem: string | null = null;

  constructor(private readonly ctx: AppContext) {
    this.folder = officeFolderFor(ctx.caseDb.file);
    this.devices = DeviceRegister.besideDatabase(this.folder);
  }

  private get settingsFile(): string {
    return path.join(this.folder, 'share.json');
  }

  private savedSettings(): { sharing: boolean; listen: string } | null {
    const text = readPrivateFile(this.settingsFile);
    if (text === null) return null;
    const parsed = ShareSettings.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  }

  private saveSettings(sharing: boolean, listen: string): void {
    writePrivateFile(this.settingsFile, JSON.stringify({ format: 'needmap-office-share', sharing, listen }, null, 2) + '\n');
  }

  get sharing(): boolean {
    return this.server !== null;
  }

  get address(): OfficeAddress | null {
    return this.server?.address ?? null;
  }

  async ensureCertificate(): Promise<OfficeCertificate> {
    this.certificate ??= await loadOrCreateCertificate(this.folder);
    return this.certificate;
  }

  /** Starts sharing on `listen` (and remembers it); restarts on a new address if already sharing. */
  async start(listen: OfficeAddress): Promise<OfficeServer> {
    await this.stop({ remember: false });
    const certificate = await this.ensureCertificate();
    const sessionsFile = sessionsFileIn(this.folder);
    if (!this.sessionsRestored) restoreOfficeSessions(sessionsFile, this.ctx, this.devices);
    this.sessionsRestored = true;
    const save = () => {
      try {
        saveOfficeSessions(sessionsFile, this.ctx);
      } catch (error) {
        reportInternalError('saving the office sessions', error, this.ctx.errorLogFile);
      }
    };
    this.server = await startOfficeServer({ ctx: this.ctx, listen, certificate, devices: this.devices, onSessionsChanged: save });
    // Activity times and auto-locks, for a restart to find them; and the devices' last-seen times.
    const timer = setInterval(() => {
      save();
      this.devices.flush();
    }, HOUSEKEEPING_INTERVAL_MS);
    timer.unref();
    this.stopSaving = () => {
      clearInterval(timer);
      save();
      this.devices.flush();
    };
    this.saveSettings(true, formatOfficeAddress(this.server.address));
    this.problem = null;
    return this.server;
  }

  /** Stops sharing; the client PCs' sessions end (they are kept for a restart only when `remember` is false, i.e. the app is closing). */
  async stop(options: { remember?: boolean } = {}): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    // Saved first, synchronously: a closing app may not wait for the connections to wind down.
    this.stopSaving?.();
    this.stopSaving = null;
    await server.close();
    if (options.remember !== false) {
      const listen = formatOfficeAddress(server.address);
      this.saveSettings(false, listen);
      // Turned off on purpose: the other PCs' logins end now.
      for (const session of this.ctx.sessions.all()) if (session.via === 'office') this.ctx.sessions.end(session);
      closeIfNobodyLoggedIn(this.ctx);
      saveOfficeSessions(sessionsFileIn(this.folder), this.ctx);
    }
  }

  /**
   * Shares again if an admin had turned sharing on (the app restarted); returns whether it did. A
   * failure (the PC's address changed, the port is taken) does not stop the app: it is shown in
   * Settings and on the console, and the admin chooses again.
   */
  async resume(): Promise<boolean> {
    const saved = this.savedSettings();
    if (!saved?.sharing) return false;
    try {
      await this.start(parseOfficeAddress(saved.listen, { allowAnyPort: true }));
      this.problem = null;
      return true;
    } catch (error) {
      this.problem = describeListenError(error, saved.listen);
      console.error(`[needmap] Not sharing with the office: ${this.problem}`);
      return false;
    }
  }

  /** The app is closing: stop listening, keep the sessions and the setting for the next start. */
  async close(): Promise<void> {
    await this.stop({ remember: false });
    this.devices.flush();
  }

  decide(id: string, state: 'approved' | 'revoked', by: string): OfficeDeviceView | null {
    const device = this.devices.decide(id, state, by);
    if (!device) return null;
    if (state === 'revoked') {
      // A revoked PC's people are logged out at once, everywhere.
      for (const session of this.ctx.sessions.all()) if (session.device?.id === id) this.ctx.sessions.end(session);
      closeIfNobodyLoggedIn(this.ctx);
      saveOfficeSessions(sessionsFileIn(this.folder), this.ctx);
    }
    return view(device);
  }

  status(): OfficeShareStatus {
    const saved = this.savedSettings();
    const listen = this.server ? formatOfficeAddress(this.server.address) : (saved?.listen ?? null);
    const certificate = this.certificate;
    return {
      sharing: this.sharing,
      listen,
      addresses: localAddresses(),
      fingerprint: certificate?.fingerprint ?? null,
      groupedFingerprint: certificate?.groupedFingerprint ?? null,
      pairingCode: this.server && certificate ? pairingCode(this.server.address, certificate.fingerprint) : null,
      problem: this.problem,
      devices: this.devices.list().map(view),
    };
  }
}

function view(device: ReturnType<DeviceRegister['list']>[number]): OfficeDeviceView {
  const { secretSha256: _secret, ...rest } = device;
  return { ...rest, code: deviceCode(device.id) };
}

/** This PC's IPv4 addresses on its networks (what other PCs would connect to), then this PC only. */
export function localAddresses(): { address: string; label: string }[] {
  const found: { address: string; label: string }[] = [];
  for (const [name, entries] of Object.entries(os.networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family === 'IPv4' && !entry.internal && !isLoopback(entry.address)) found.push({ address: entry.address, label: `${entry.address} (${name})` });
    }
  }
  found.push({ address: '127.0.0.1', label: '127.0.0.1 (this PC only: for trying it out)' });
  return found;
}
