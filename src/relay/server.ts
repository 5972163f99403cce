import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { readBodyOrRefuse, sendJson } from '../shared/node/http-body.ts';
import { checkHealth, IntakeMonitor } from './health.ts';
import { RelayMetrics } from './metrics.ts';
import { openStore } from './open-store.ts';
import type { RelayStore, StoredHeaders } from './store.ts';
import { guardStore, StoreUnavailableError, storeRetryAfterSeconds } from './store-guard.ts';
import { streamPath } from './protocol/frames.ts';
import { parseRoute, parseStreamTarget } from './routes.ts';
import { StreamHub } from './stream.ts';

export interface RelayOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (put a TLS reverse proxy in front, see docs/relay.md). */
  host?: string;
  /** SQLite file path or postgres:// URL — or an already opened store. */
  store: string | RelayStore;
  /** Bearer token for the admin API (channel/device management, /metrics). */
  adminToken: string;
  /** Events older than this are purged; default 7 days. */
  retentionMs?: number;
  /** Largest accepted webhook body; default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Largest accepted calendar feed snapshot; default 32 MiB. A feed is a whole calendar (about 500
   * bytes an event), so a business with a year of bookings needs far more than one webhook does.
   */
  maxFeedBytes?: number;
  /** Interval of heartbeats on device streams; default 25 s. */
  heartbeatMs?: number;
  /** Public base URL used in `ingressUrl` and feed URLs (e.g. https://relay.example.com). */
  publicUrl?: string;
  /** One JSON line per event; default: none. The CLI writes them to stderr. */
  log?: (line: string) => void;
  /** Clock (ms since epoch); tests move it to exercise retention. */
  now?: () => number;
  /** How often retention runs; default min(retention / 10, 10 min). */
  purgeIntervalMs?: number;
  /**
   * SQLite only: run commits in a worker thread so their fsync never blocks this event loop. Default
   * false (simplest for an embedded relay); the CLI turns it on.
   */
  sqliteWriterThread?: boolean;
  /** An ingest waiting longer than this for its commit makes /healthz say `degraded`; default 5 s. */
  intakeBlockedAfterMs?: number;
}

export interface RelayHandle {
  /** Base URL the relay listens on (http://host:port). */
  url: string;
  /** Base URL given to senders and calendars (publicUrl, or url). */
  publicUrl: string;
  port: number;
  storeKind: 'sqlite' | 'postgres';
  /** Runs retention now; returns the number of events removed. */
  purgeNow(): Promise<number>;
  /** Graceful: stop accepting, finish in-flight ingests, close streams, close the store. */
  close(): Promise<void>;
}

const channelIdPattern = /^ch_[A-Za-z0-9_-]{16,64}$/;
const deviceIdPattern = /^dev_[A-Za-z0-9_-]{8,64}$/;
const feedKeyPattern = /^[A-Za-z0-9_-]{22,128}$/;
const maxAdminBody = 16 * 1024;
const maxHeaderValue = 1024;

const retryAfter = { 'retry-after': String(storeRetryAfterSeconds) };
/** Log messages that say something needs a look, without being a failure of this node. */
const warnings = new Set(['ingest_duplicate_mismatch', 'health_degraded', 'store_unavailable']);

const sha256 = (value: string | Buffer): string => createHash('sha256').update(value).digest('hex');
const randomId = (prefix: string, bytes: number): string => `${prefix}${randomBytes(bytes).toString('base64url')}`;

function sendError(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message } }, extra);
}

/** The relay's 413; the connection closes after it (readBodyOrRefuse drops what is still coming). */
function sendTooLarge(res: ServerResponse, limit: number): void {
  sendError(res, 413, 'BODY_TOO_LARGE', `body exceeds ${limit} bytes`, { connection: 'close' });
}

function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a));
  const y = Buffer.from(sha256(b));
  return timingSafeEqual(x, y) && a.length === b.length;
}

function httpDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString();
}

/**
 * Starts a relay node. Several nodes on one PostgreSQL store serve the same channels.
 *
 * One long function on purpose: its handlers are closures over one node's state (store, metrics,
 * intake monitor, hub, channel cache, shutdown flag). The parts that need no such state live apart and
 * are tested alone: routes.ts (parsing), health.ts (health verdict), store-guard.ts, stream.ts.
 */
// eslint-disable-next-line max-lines-per-function -- its handlers are closures over one node's state (see the comment above)
export async function startRelay(options: RelayOptions): Promise<RelayHandle> {
  if (!options.adminToken || options.adminToken.length < 16) throw new Error('adminToken must be at least 16 characters');
  const now = options.now ?? Date.now;
  const retentionMs = options.retentionMs ?? 7 * 86_400_000;
  const maxBody = options.maxBodyBytes ?? 1 << 20;
  const maxFeed = options.maxFeedBytes ?? 32 << 20;
  /** The body limit of a request: feed uploads have their own. */
  const limitFor = (url: string | undefined): number => (url !== undefined && /^\/v1\/channels\/[^/]+\/feeds\//.test(url) ? maxFeed : maxBody);
  const heartbeatMs = options.heartbeatMs ?? 25_000;
  const sink = options.log ?? (() => {});
  const log = (msg: string, fields: Record<string, unknown> = {}): void => {
    const level = msg.endsWith('_failed') || msg === 'error' ? 'error' : warnings.has(msg) ? 'warn' : 'info';
    sink(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }));
  };
  // Every store failure becomes a StoreUnavailableError: whatever the request, it answers 503 + Retry-After.
  const store = guardStore(typeof options.store === 'string' ? await openStore(options.store, { sqliteWriterThread: options.sqliteWriterThread ?? false }) : options.store);
  const metrics = new RelayMetrics();
  const intake = new IntakeMonitor();
  const healthOptions = { blockedAfterMs: options.intakeBlockedAfterMs ?? 5000, checkTimeoutMs: 2000, failingForMs: 10_000 };
  let lastHealthOk = true;
  /** Checks health; logs the reason once each time it changes (the only place the details go, with /metrics). */
  const health = async () => {
    const verdict = await checkHealth(store, intake, healthOptions, now);
    if (verdict.ok !== lastHealthOk) log(verdict.ok ? 'health_ok' : 'health_degraded', verdict.reason === null ? {} : { reason: verdict.reason });
    lastHealthOk = verdict.ok;
    return verdict;
  };
  const hub = new StreamHub({ store, metrics, heartbeatMs, log });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  const knownChannels = new Set<string>();
  const inflight = new Set<Promise<void>>();
  let closing = false;
  let publicBase = '';

  const channelExists = async (id: string): Promise<boolean> => {
    if (!channelIdPattern.test(id)) return false;
    if (knownChannels.has(id)) return true;
    const found = (await store.getChannel(id)) !== null;
    if (found && knownChannels.size < 100_000) knownChannels.add(id);
    return found;
  };

  const isAdmin = (req: IncomingMessage): boolean => {
    const token = bearer(req);
    return token !== null && safeEqual(token, options.adminToken);
  };

  const readJson = async (req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | null> => {
    const body = await readBodyOrRefuse(req, res, maxAdminBody, () => sendTooLarge(res, maxAdminBody));
    if (body === null) return null;
    if (body.length === 0) return {};
    try {
      const value = JSON.parse(body.toString('utf8')) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // fall through
    }
    sendError(res, 400, 'BAD_JSON', 'expected a JSON object');
    return null;
  };

  const issueDevice = async (channelId: string): Promise<{ deviceId: string; deviceToken: string }> => {
    const deviceId = randomId('dev_', 12);
    const deviceToken = randomId('rdt_', 32);
    await store.addDevice({ id: deviceId, channelId, tokenHash: sha256(deviceToken), createdAt: now() });
    log('device_created', { channelId, deviceId });
    return { deviceId, deviceToken };
  };

  const channelUrls = (id: string): { ingressUrl: string; streamUrl: string } => ({
    ingressUrl: `${publicBase}/in/${id}`,
    streamUrl: `${publicBase.replace(/^http/, 'ws')}${streamPath(id)}`,
  });

  // ---- ingress --------------------------------------------------------------------------------
  const storeFailed = (res: ServerResponse, what: string, fields: Record<string, unknown>, error: unknown): void => {
    metrics.reject('store_error');
    log(what, { ...fields, error: (error as Error).message });
    sendError(res, 503, 'STORE_UNAVAILABLE', 'could not store the event; retry later', retryAfter);
  };

  const handleIngress = async (req: IncomingMessage, res: ServerResponse, channelId: string): Promise<void> => {
    let exists: boolean;
    try {
      exists = await channelExists(channelId);
    } catch (error) {
      req.resume();
      return storeFailed(res, 'ingest_failed', { channelId }, error);
    }
    if (!exists) {
      metrics.reject('unknown_channel');
      log('ingest_rejected', { reason: 'unknown_channel' });
      req.resume();
      sendError(res, 404, 'UNKNOWN_CHANNEL', 'no such channel');
      return;
    }
    let refused = false;
    const body = await readBodyOrRefuse(req, res, maxBody, () => {
      refused = true;
      metrics.reject('too_large');
      log('ingest_rejected', { reason: 'too_large', channelId, declaredLength: req.headers['content-length'] ?? null });
      sendTooLarge(res, maxBody);
    });
    if (body === null) {
      if (!refused) metrics.reject('aborted');
      return;
    }
    const headers: StoredHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name !== 'content-type' && !name.startsWith('x-orkestr-')) continue;
      const text = Array.isArray(value) ? value.join(', ') : value;
      if (text === undefined) continue;
      if (text.length > maxHeaderValue) {
        metrics.reject('bad_request');
        sendError(res, 400, 'HEADER_TOO_LONG', `${name} is longer than ${maxHeaderValue} characters`);
        return;
      }
      headers[name] = text;
    }
    const deliveryId = headers['x-orkestr-delivery-id'] ?? null;
    const started = performance.now();
    const ticket = intake.begin(now());
    let result;
    try {
      result = await store.ingest({ channelId, deliveryId, headers, body, receivedAt: now() });
      intake.end(ticket, true, now());
    } catch (error) {
      intake.end(ticket, false, now());
      return storeFailed(res, 'ingest_failed', { channelId, deliveryId }, error);
    }
    metrics.observeIngest((performance.now() - started) / 1000);
    if (result.status === 'unknown-channel') {
      metrics.reject('unknown_channel');
      sendError(res, 404, 'UNKNOWN_CHANNEL', 'no such channel');
    } else if (result.status === 'duplicate') {
      metrics.duplicates++;
      if (result.sameBody) log('ingest_duplicate', { channelId, deliveryId, seq: result.seq });
      else {
        // Not the platform retrying: the same id with other bytes is a replay or a sender's bug.
        // The id stays the dedupe key (nothing is stored), but an operator should know.
        metrics.duplicateMismatches++;
        log('ingest_duplicate_mismatch', { channelId, deliveryId, seq: result.seq, bytes: body.length, sha256: sha256(body) });
      }
      sendJson(res, 200, { seq: result.seq, duplicate: true });
    } else {
      metrics.ingested++;
      log('ingest', { channelId, deliveryId, seq: result.seq, bytes: body.length, event: headers['x-orkestr-event'] ?? null });
      sendJson(res, 202, { seq: result.seq });
    }
  };

  // ---- feeds ----------------------------------------------------------------------------------
  const authDevice = async (req: IncomingMessage, channelId: string, token: string | null) => {
    if (!token || !channelIdPattern.test(channelId)) return null;
    return store.findDevice(channelId, sha256(token));
  };

  const handleFeedWrite = async (req: IncomingMessage, res: ServerResponse, channelId: string, feedKey: string): Promise<void> => {
    const device = await authDevice(req, channelId, bearer(req));
    if (!device) {
      req.resume();
      sendError(res, 401, 'UNAUTHORIZED', 'a valid device token of this channel is required', { 'www-authenticate': 'Bearer' });
      return;
    }
    if (!feedKeyPattern.test(feedKey)) {
      req.resume();
      sendError(res, 400, 'BAD_FEED_KEY', 'feed key must be 22–128 characters of [A-Za-z0-9_-]');
      return;
    }
    if (req.method === 'DELETE') {
      const removed = await store.deleteFeed(channelId, feedKey);
      if (!removed) {
        sendError(res, 404, 'UNKNOWN_FEED', 'no such feed on this channel');
        return;
      }
      log('feed_deleted', { channelId, feedKey: feedKey.slice(0, 6) + '…' });
      res.writeHead(204).end();
      return;
    }
    const body = await readBodyOrRefuse(req, res, maxFeed, () => sendTooLarge(res, maxFeed));
    if (body === null) return;
    const etag = `"${sha256(body).slice(0, 32)}"`;
    const lastModified = now();
    const outcome = await store.putFeed({ feedKey, channelId, body, etag, lastModified });
    if (outcome === 'forbidden') {
      sendError(res, 403, 'FEED_KEY_TAKEN', 'this feed key belongs to another channel');
      return;
    }
    const saved = await store.getFeed(feedKey);
    log('feed_put', { channelId, feedKey: feedKey.slice(0, 6) + '…', outcome, bytes: body.length });
    sendJson(
      res,
      outcome === 'created' ? 201 : 200,
      { feedKey, url: `${publicBase}/feeds/${feedKey}.ics`, etag: saved?.etag ?? etag, lastModified: new Date(saved?.lastModified ?? lastModified).toISOString(), outcome },
      { etag: saved?.etag ?? etag },
    );
  };

  const handleFeedRead = async (req: IncomingMessage, res: ServerResponse, feedKey: string): Promise<void> => {
    const feed = feedKeyPattern.test(feedKey) ? await store.getFeed(feedKey) : null;
    if (!feed) {
      sendError(res, 404, 'UNKNOWN_FEED', 'no such feed');
      return;
    }
    const headers = {
      etag: feed.etag,
      'last-modified': httpDate(feed.lastModified),
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    };
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    let notModified = false;
    if (inm !== undefined) {
      const tags = inm.split(',').map((t) => t.trim().replace(/^W\//, ''));
      notModified = tags.includes('*') || tags.includes(feed.etag);
    } else if (ims !== undefined) {
      const since = Date.parse(ims);
      notModified = Number.isFinite(since) && Math.floor(feed.lastModified / 1000) * 1000 <= since;
    }
    metrics.feedsServed++;
    if (notModified) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': 'text/calendar; charset=utf-8', 'content-length': String(feed.body.length) });
    res.end(req.method === 'HEAD' ? undefined : feed.body);
  };

  // ---- admin ----------------------------------------------------------------------------------
  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> => {
    if (!isAdmin(req)) {
      req.resume();
      sendError(res, 401, 'UNAUTHORIZED', 'admin token required', { 'www-authenticate': 'Bearer' });
      return;
    }
    // parts: ['v1','channels', id?, 'devices'?, deviceId?]
    if (parts.length === 2 && req.method === 'POST') {
      const body = await readJson(req, res);
      if (!body) return;
      const name = typeof body['name'] === 'string' ? body['name'].slice(0, 200) : null;
      const id = randomId('ch_', 24);
      await store.createChannel({ id, name, createdAt: now() });
      knownChannels.add(id);
      const device = await issueDevice(id);
      log('channel_created', { channelId: id, deviceId: device.deviceId });
      sendJson(res, 201, { id, name, ...channelUrls(id), ...device });
      return;
    }
    const channelId = parts[2]!;
    const channel = channelIdPattern.test(channelId) ? await store.getChannel(channelId) : null;
    if (!channel) {
      req.resume();
      sendError(res, 404, 'UNKNOWN_CHANNEL', 'no such channel');
      return;
    }
    if (parts.length === 3 && req.method === 'GET') {
      const devices = await store.listDevices(channelId);
      sendJson(res, 200, {
        id: channel.id,
        name: channel.name,
        ...channelUrls(channel.id),
        lastSeq: channel.lastSeq,
        purgedSeq: channel.purgedSeq,
        createdAt: new Date(channel.createdAt).toISOString(),
        devices: devices.map((d) => ({ deviceId: d.id, ackedSeq: d.ackedSeq, createdAt: new Date(d.createdAt).toISOString(), revokedAt: d.revokedAt === null ? null : new Date(d.revokedAt).toISOString() })),
      });
      return;
    }
    if (parts.length === 4 && parts[3] === 'devices' && req.method === 'POST') {
      req.resume();
      sendJson(res, 201, await issueDevice(channelId));
      return;
    }
    if (parts.length === 5 && parts[3] === 'devices' && req.method === 'DELETE') {
      const deviceId = parts[4]!;
      const revoked = deviceIdPattern.test(deviceId) && (await store.revokeDevice(channelId, deviceId, now()));
      if (!revoked) {
        sendError(res, 404, 'UNKNOWN_DEVICE', 'no such active device on this channel');
        return;
      }
      await store.publish({ kind: 'revoke', channelId, deviceId });
      log('device_revoked', { channelId, deviceId });
      res.writeHead(204).end();
      return;
    }
    req.resume();
    sendError(res, 404, 'NOT_FOUND', 'no such route');
  };

  // ---- dispatch -------------------------------------------------------------------------------
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = parseRoute(req.method ?? 'GET', req.url);
    switch (target.kind) {
      case 'refuse':
        req.resume();
        return sendError(res, target.status, target.code, target.message, target.headers);
      case 'ingress':
        return handleIngress(req, res, target.channelId);
      case 'feed-read':
        return handleFeedRead(req, res, target.feedKey);
      case 'feed-write':
        return handleFeedWrite(req, res, target.channelId, target.feedKey);
      case 'stream-http':
        req.resume();
        return sendError(res, 426, 'UPGRADE_REQUIRED', 'connect with WebSocket', { upgrade: 'websocket' });
      case 'admin':
        return handleAdmin(req, res, target.parts);
      case 'healthz': {
        // Only "ok" or "degraded": it is unauthenticated, and a store error can name an address or a user.
        const verdict = await health();
        res.writeHead(verdict.ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...(verdict.ok ? {} : retryAfter) });
        res.end(verdict.ok ? 'ok' : 'degraded');
        return;
      }
      case 'metrics': {
        if (!isAdmin(req)) return sendError(res, 401, 'UNAUTHORIZED', 'admin token required', { 'www-authenticate': 'Bearer' });
        const verdict = await health();
        const stats = verdict.storeUp ? await store.stats().catch(() => []) : [];
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
        res.end(metrics.render(stats, verdict));
        return;
      }
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (closing) {
      metrics.reject('shutting_down');
      req.resume();
      sendError(res, 503, 'SHUTTING_DOWN', 'relay is shutting down', { connection: 'close', 'retry-after': '1' });
      return;
    }
    const task = route(req, res).catch((error: unknown) => {
      const unavailable = error instanceof StoreUnavailableError;
      log(unavailable ? 'store_unavailable' : 'request_failed', { method: req.method, path: req.url?.split('?')[0], error: (error as Error).message });
      req.resume();
      if (res.headersSent) res.destroy();
      else if (unavailable) sendError(res, 503, 'STORE_UNAVAILABLE', 'the relay cannot reach its store; retry later', retryAfter);
      else sendError(res, 500, 'INTERNAL', 'internal error');
    });
    inflight.add(task);
    void task.finally(() => inflight.delete(task));
  };
  const server = createServer({ requestTimeout: 60_000, headersTimeout: 20_000 }, handle);
  server.keepAliveTimeout = 5000;
  // `Expect: 100-continue`: refuse an announced oversized body before the sender transmits it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length']);
    const limit = limitFor(req.url);
    if (Number.isFinite(declared) && declared > limit) {
      if (req.url?.startsWith('/in/')) {
        metrics.reject('too_large');
        log('ingest_rejected', { reason: 'too_large', declaredLength: declared });
      }
      sendTooLarge(res, limit);
      return;
    }
    res.writeContinue();
    handle(req, res);
  });

  // ---- device streams -------------------------------------------------------------------------
  const refuseUpgrade = (socket: Socket, status: number, reason: string): void => {
    const body = JSON.stringify({ error: { code: reason, message: reason } });
    const extra = status === 503 ? `Retry-After: ${storeRetryAfterSeconds}\r\n` : '';
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n${extra}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => {});
    void (async () => {
      if (closing) return refuseUpgrade(socket, 503, 'Shutting Down');
      const target = parseStreamTarget(req.url);
      if ('status' in target) return refuseUpgrade(socket, target.status, target.status === 400 ? 'Bad Request' : 'Not Found');
      const { channelId } = target;
      const channel = channelIdPattern.test(channelId) ? await store.getChannel(channelId) : null;
      if (!channel) return refuseUpgrade(socket, 404, 'Not Found');
      const device = await authDevice(req, channelId, bearer(req) ?? target.token);
      if (!device) {
        log('stream_refused', { channelId, reason: 'bad_token' });
        return refuseUpgrade(socket, 401, 'Unauthorized');
      }
      const cursor = target.cursor ?? device.ackedSeq;
      if (cursor > channel.lastSeq) return refuseUpgrade(socket, 409, 'Conflict');
      wss.handleUpgrade(req, socket, head, (ws) => hub.attach(ws, channelId, device.id, cursor, device.ackedSeq, channel.lastSeq));
    })().catch((error: unknown) => {
      log(error instanceof StoreUnavailableError ? 'store_unavailable' : 'upgrade_failed', { path: 'stream', error: (error as Error).message });
      refuseUpgrade(socket, 503, 'Service Unavailable');
    });
  });

  // ---- retention ------------------------------------------------------------------------------
  const purgeNow = async (): Promise<number> => {
    const removed = await store.purge(now() - retentionMs);
    if (removed > 0) log('retention_purge', { removed, retentionMs });
    return removed;
  };
  const purgeEvery = options.purgeIntervalMs ?? Math.max(1000, Math.min(retentionMs / 10, 600_000));
  const purgeTimer = setInterval(() => {
    purgeNow().catch((error: unknown) => log('retention_failed', { error: (error as Error).message }));
  }, purgeEvery);
  purgeTimer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  const url = `http://${hostForUrl}:${address.port}`;
  publicBase = (options.publicUrl ?? url).replace(/\/+$/, '');
  log('listening', { url, publicUrl: publicBase, store: store.kind, retentionMs, maxBodyBytes: maxBody, maxFeedBytes: maxFeed, heartbeatMs });
  void purgeNow().catch((error: unknown) => log('retention_failed', { error: (error as Error).message }));

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      log('shutdown_begin', { inflight: inflight.size, streams: hub.size });
      clearInterval(purgeTimer);
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Ingests already reading or storing get their answer (a sender still trickling its body after
      // 10 s is cut off: it got no 2xx, so it retries elsewhere).
      const deadline = Date.now() + 10_000;
      for (let i = 0; i < 100 && inflight.size > 0 && Date.now() < deadline; i++) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))))]);
        clearTimeout(timer);
      }
      await hub.closeAll();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await serverClosed;
      await store.close();
      log('shutdown_done');
    })();
    return closed;
  };

  return { url, publicUrl: publicBase, port: address.port, storeKind: store.kind, purgeNow, close };
}
