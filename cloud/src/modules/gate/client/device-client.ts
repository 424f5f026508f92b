/**
 * The reference gate device (a turnstile controller, a Raspberry Pi): pairs once with its own
 * Ed25519 key, signs every request (shared/src/gate-signing.ts), verifies online and — when the
 * network is down — offline against its pack with the very check the staff page runs
 * (shared/src/ticket-offline.ts), queues offline scans and uploads them when it is back.
 * Plain Node (fetch, node:crypto); no cloud code is imported.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DEVICE_HEADERS, deviceSigningString, type DeviceOfflinePack } from '@citysport/shared';
import { checkOffline } from '@citysport/shared/src/ticket-offline';

export interface DeviceState {
  api: string;
  deviceId: string;
  venueId: string;
  direction: 'in' | 'out';
  privateKeyPem: string;
  pack: DeviceOfflinePack | null;
  /** tickets this device let in while offline (with the pack's admitted ones: refused a second time) */
  used: string[];
  queue: { code: string; nonce: string; scannedAt: string }[];
  offlineSince: string | null;
}

export interface Decision {
  open: boolean;
  reason?: string;
  ticketId?: string | null;
  offline: boolean;
}

export class NetworkDown extends Error {}

const nonce = () => randomBytes(12).toString('base64url');

export class GateDevice {
  constructor(
    public state: DeviceState,
    private readonly opts: { statePath?: string; now?: () => Date; timeoutMs?: number } = {},
  ) {}

  private now() {
    return this.opts.now?.() ?? new Date();
  }

  /** the pack's admissions and this device's own, kept as a set (rebuilt when the pack changes) */
  private usedSet: Set<string> | null = null;

  /** The whole state (the pack, the key, the queue); the queue also goes to `<state>.queue`, a line per scan. */
  save() {
    if (!this.opts.statePath) return;
    writeFileSync(this.opts.statePath, JSON.stringify(this.state));
    writeFileSync(`${this.opts.statePath}.queue`, this.state.queue.map((q) => `${JSON.stringify(q)}\n`).join(''));
  }

  /** One scan queued: appended (a turnstile writes a line per person, not its whole state). */
  private appendScan(scan: DeviceState['queue'][number], ticketId: string | null) {
    this.state.queue.push(scan);
    if (ticketId && this.state.direction === 'in') {
      this.state.used.push(ticketId);
      this.usedSet?.add(ticketId);
    }
    if (this.opts.statePath) appendFileSync(`${this.opts.statePath}.queue`, `${JSON.stringify({ ...scan, ticketId })}\n`);
  }

  static load(path: string, opts: { now?: () => Date; api?: string } = {}): GateDevice | null {
    if (!existsSync(path)) return null;
    const state = JSON.parse(readFileSync(path, 'utf8')) as DeviceState;
    if (opts.api) state.api = opts.api;
    // the queue file is the truth for scans (appended after the last whole save)
    if (existsSync(`${path}.queue`)) {
      const lines = readFileSync(`${path}.queue`, 'utf8').split('\n').filter(Boolean);
      const scans = lines.map((l) => JSON.parse(l) as DeviceState['queue'][number] & { ticketId?: string | null });
      state.queue = scans.map(({ code, nonce, scannedAt }) => ({ code, nonce, scannedAt }));
      for (const s of scans) if (s.ticketId && state.direction === 'in' && !state.used.includes(s.ticketId)) state.used.push(s.ticketId);
    }
    return new GateDevice(state, { statePath: path, now: opts.now });
  }

  /** Exchanges the one-time pairing code for this device's own credential: a new key pair, the public half sent. */
  static async pair(api: string, pairingCode: string, opts: { statePath?: string; now?: () => Date } = {}): Promise<GateDevice> {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const res = await fetch(`${api}/devices/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pairingCode, publicKey: raw.toString('base64') }),
    });
    const body = (await res.json()) as { deviceId: string; venueId: string; direction: 'in' | 'out'; error?: { code: string } };
    if (res.status !== 200) throw new Error(`pairing refused: ${body.error?.code ?? res.status}`);
    const device = new GateDevice(
      {
        api,
        deviceId: body.deviceId,
        venueId: body.venueId,
        direction: body.direction,
        privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        pack: null,
        used: [],
        queue: [],
        offlineSince: null,
      },
      opts,
    );
    device.save();
    return device;
  }

  /** The four headers of a signed request (`fullPath` as the server sees it: /api/v1/… with the query). */
  signedHeaders(method: string, fullPath: string, raw: string, opts: { deviceId?: string; nonce?: string } = {}): Record<string, string> {
    const ts = String(this.now().getTime());
    const n = opts.nonce ?? nonce();
    const signed = deviceSigningString(method, fullPath, createHash('sha256').update(raw, 'utf8').digest('hex'), ts, n);
    const signature = sign(null, Buffer.from(signed, 'utf8'), createPrivateKey(this.state.privateKeyPem)).toString('base64');
    return {
      [DEVICE_HEADERS.id]: opts.deviceId ?? this.state.deviceId,
      [DEVICE_HEADERS.timestamp]: ts,
      [DEVICE_HEADERS.nonce]: n,
      [DEVICE_HEADERS.signature]: signature,
    };
  }

  /** A signed request; NetworkDown when the cloud cannot be reached (then the device works offline). */
  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const raw = body === undefined ? '' : JSON.stringify(body);
    const url = new URL(`${this.state.api}${path}`);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...this.signedHeaders(method, url.pathname + url.search, raw),
        },
        body: body === undefined ? undefined : raw,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 3000),
      });
    } catch (err) {
      throw new NetworkDown((err as Error).message);
    }
    if (res.status >= 500) throw new NetworkDown(`server answered ${res.status}`);
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  private wentOffline() {
    this.state.offlineSince ??= this.now().toISOString();
    this.save();
  }

  async refreshPack(): Promise<boolean> {
    try {
      const res = await this.request<DeviceOfflinePack & { error?: { code: string } }>('GET', '/devices/offline-pack');
      if (res.status !== 200) throw new Error(`offline pack refused: ${res.body.error?.code ?? res.status}`);
      this.state.pack = res.body;
      this.state.used = [];
      this.usedSet = null;
      this.state.offlineSince = null;
      this.save();
      return true;
    } catch (err) {
      if (err instanceof NetworkDown) {
        this.wentOffline();
        return false;
      }
      throw err;
    }
  }

  async heartbeat(): Promise<boolean> {
    try {
      const res = await this.request('POST', '/devices/heartbeat', {
        pendingUploads: this.state.queue.length,
        offlineSince: this.state.offlineSince,
      });
      return res.status === 200;
    } catch (err) {
      if (err instanceof NetworkDown) return false;
      throw err;
    }
  }

  /** Uploads the offline queue; what the cloud answered per scan, and how many were double admissions. */
  async sync(): Promise<{ uploaded: number; doubleAdmissions: number } | null> {
    if (this.state.queue.length === 0) return { uploaded: 0, doubleAdmissions: 0 };
    const scans = this.state.queue.slice(0, 500);
    try {
      const res = await this.request<{ doubleAdmissions: number; error?: { code: string } }>('POST', '/devices/sync', { scans });
      if (res.status !== 200) throw new Error(`upload refused: ${res.body.error?.code ?? res.status}`);
      this.state.queue = this.state.queue.slice(scans.length);
      this.state.offlineSince = null;
      this.save();
      return { uploaded: scans.length, doubleAdmissions: res.body.doubleAdmissions };
    } catch (err) {
      if (err instanceof NetworkDown) {
        this.wentOffline();
        return null;
      }
      throw err;
    }
  }

  /** The offline decision: the staff page's check, plus this device's own admissions. */
  checkOffline(code: string, scanNonce = nonce()): Decision {
    const pack = this.state.pack;
    if (!pack) return { open: false, reason: 'no_offline_pack', offline: true };
    this.usedSet ??= new Set([...pack.admitted, ...this.state.used]);
    const now = this.now();
    const check = checkOffline(code, pack, this.state.direction === 'out' ? new Set() : this.usedSet, now);
    const exitOk =
      this.state.direction === 'out' && (check.result === 'admitted' || check.result === 'already_used' || check.result === 'expired');
    if (check.result !== 'admitted' && !exitOk)
      return { open: false, reason: check.result, ticketId: check.fields?.ticketId ?? null, offline: true };
    const ticketId = check.fields!.ticketId;
    this.appendScan({ code: code.trim(), nonce: scanNonce, scannedAt: now.toISOString() }, ticketId);
    return { open: true, ticketId, offline: true };
  }

  /** One scan: online when the cloud answers, offline (same check as the staff page) when it does not. */
  async scan(code: string): Promise<Decision> {
    const scanNonce = nonce();
    try {
      const res = await this.request<{ result: 'open' | 'deny'; reason?: string; ticketId?: string | null; error?: { code: string } }>(
        'POST',
        '/devices/verify',
        { code: code.trim().slice(0, 400), nonce: scanNonce },
      );
      if (res.status !== 200) return { open: false, reason: (res.body.error?.code ?? `http_${res.status}`).toLowerCase(), offline: false };
      if (this.state.offlineSince) {
        this.state.offlineSince = null;
        this.save();
      }
      return { open: res.body.result === 'open', reason: res.body.reason, ticketId: res.body.ticketId ?? null, offline: false };
    } catch (err) {
      if (!(err instanceof NetworkDown)) throw err;
      this.wentOffline();
      return this.checkOffline(code, scanNonce);
    }
  }
}

export const formatDecision = (d: Decision) =>
  `${d.open ? 'OPEN' : 'DENY'}${d.open ? '' : ` ${d.reason ?? 'unknown'}`}${d.offline ? ' (offline)' : ''}`;
