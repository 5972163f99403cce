import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBodyOrRefuse, sendJsonText } from '../shared/node/http-body.ts';
import { matchRoute, type Answer } from './api.ts';
import type { Keys, KeyInfo } from './auth.ts';
import type { DB } from './db.ts';
import type { RaisedEvent, Store, WriteScope } from './store.ts';
import type { Tenant, WebhookEvent } from './types.ts';
import { ApiError, errorBody, sleep, type Clock } from './util.ts';
import type { Webhooks } from './webhooks.ts';

export const MAX_BODY = 1024 * 1024;
const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export interface Faults {
  latencyMs: number;
  errorRate: number;
  dropRate: number;
  rateLimitPerMinute: number | null;
}

export const noFaults = (): Faults => ({ latencyMs: 0, errorRate: 0, dropRate: 0, rateLimitPerMinute: null });

export interface Context {
  db: DB;
  store: Store;
  keys: Keys;
  webhooks: Webhooks;
  clock: Clock;
  faults: Faults;
  rateLimitPerMinute: number;
  log: (line: string) => void;
  random: () => number;
  limiter: RateLimiter;
}

export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, body, headers);
}

export function sendError(res: ServerResponse, e: ApiError, headers: Record<string, string> = {}): void {
  send(res, e.status, errorBody(e.code, e.message, e.details), { ...headers, ...(e.headers ?? {}) });
}

/** The raw body, at most MAX_BODY; null when it was refused (413 PAYLOAD_TOO_LARGE, with `headers`) or the client went away. */
export function readRequestBody(req: IncomingMessage, res: ServerResponse, headers: Record<string, string> = {}): Promise<Buffer | null> {
  return readBodyOrRefuse(req, res, MAX_BODY, () =>
    sendError(res, new ApiError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_BODY} bytes.`), { ...headers, connection: 'close' }),
  );
}

// ---- rate limit --------------------------------------------------------------------------------

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** Takes one token; answers the headers, and whether the request may go on. */
  take(keyId: string, perMinute: number): { allowed: boolean; headers: Record<string, string> } {
    const now = Date.now();
    const rate = perMinute / 60_000;
    let b = this.buckets.get(keyId);
    if (!b) {
      b = { tokens: perMinute, at: now };
      this.buckets.set(keyId, b);
    }
    b.tokens = Math.min(perMinute, b.tokens + (now - b.at) * rate);
    b.at = now;
    const headers: Record<string, string> = { 'x-ratelimit-limit': String(perMinute) };
    if (b.tokens >= 1) {
      b.tokens -= 1;
      headers['x-ratelimit-remaining'] = String(Math.floor(b.tokens));
      return { allowed: true, headers };
    }
    headers['x-ratelimit-remaining'] = '0';
    headers['retry-after'] = String(Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000)));
    return { allowed: false, headers };
  }
}

// ---- the /v1 pipeline --------------------------------------------------------------------------


/** A write scope that records effects (under an idempotency key) and collects webhook events. */
export function writeScope(ctx: Context, tenantId: string, idempotencyKey: string | null, events: RaisedEvent[]): WriteScope {
  return {
    idempotencyKey,
    effect(kind, targetId) {
      if (idempotencyKey !== null) ctx.store.recordEffect(tenantId, idempotencyKey, kind, targetId);
    },
    raise(event: WebhookEvent, data) {
      events.push({ tenantId, event, data });
      ctx.webhooks.enqueue(tenantId, event, data);
    },
  };
}

/** Runs `fn` as one transaction with a write scope; webhooks are kicked after the commit. */
export function runWrite<T>(ctx: Context, tenantId: string, idempotencyKey: string | null, fn: (w: WriteScope) => T): T {
  const events: RaisedEvent[] = [];
  const result = ctx.db.transaction(() => fn(writeScope(ctx, tenantId, idempotencyKey, events)))();
  if (events.length > 0) {
    for (const e of events) ctx.log(`event ${e.event} ${String(e.data['bookingId'] ?? e.data['offeringId'] ?? e.data['tenantId'] ?? '')}`);
    ctx.webhooks.kick();
  }
  return result;
}

// eslint-disable-next-line max-lines-per-function -- a route table: one short branch per API endpoint
export async function handleApi(ctx: Context, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  // Every answer carries the rate-limit headers, so the key is looked up (and a token taken) first.
  const key: KeyInfo | null = ctx.keys.authenticate(req.headers.authorization);
  const perMinute = ctx.faults.rateLimitPerMinute ?? ctx.rateLimitPerMinute;
  const limit = key ? ctx.limiter.take(key.keyId, perMinute) : null;
  const limitHeaders: Record<string, string> = limit ? limit.headers : { 'x-ratelimit-limit': String(perMinute), 'x-ratelimit-remaining': String(perMinute) };

  const raw = await readRequestBody(req, res, limitHeaders);
  if (raw === null) return;

  const f = ctx.faults;
  if (f.latencyMs > 0) await sleep(f.latencyMs);
  if (f.errorRate > 0 && ctx.random() < f.errorRate) {
    ctx.log(`fault: 503 for ${method} ${url.pathname}`);
    return sendError(res, new ApiError(503, 'INTERNAL', 'Injected fault: the service is temporarily unavailable.'), limitHeaders);
  }
  const drop = f.dropRate > 0 && ctx.random() < f.dropRate;

  const answer = (a: Answer, extra: Record<string, string> = {}): void => {
    if (drop) {
      ctx.log(`fault: dropped connection for ${method} ${url.pathname} (answer ${a.status} lost)`);
      req.socket.destroy();
      return;
    }
    send(res, a.status, a.body, { ...limitHeaders, ...extra });
  };
  const fail = (e: ApiError): void => answer({ status: e.status, body: errorBody(e.code, e.message, e.details) }, e.headers ?? {});

  try {
    const match = matchRoute(method, url.pathname);
    if (match === null) throw new ApiError(404, 'NOT_FOUND', `No route ${method} ${url.pathname}.`);
    if ('allowed' in match) throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}.`, { allowed: match.allowed }, { allow: match.allowed.join(', ') });
    if (!key) throw new ApiError(401, 'UNAUTHORIZED', 'A valid API key is required: Authorization: Bearer ork_<prefix>.<secret>.', undefined, { 'www-authenticate': 'Bearer' });
    if (limit && !limit.allowed) throw new ApiError(429, 'RATE_LIMITED', `Rate limit of ${perMinute} requests per minute exceeded.`, { retryAfterSeconds: Number(limit.headers['retry-after']) });

    const write = method !== 'GET';
    const needed = write ? 'write' : 'read';
    if (!key.scopes.includes(needed)) throw new ApiError(403, 'FORBIDDEN_SCOPE', `This key lacks the "${needed}" scope.`, { required: needed, scopes: key.scopes });

    const tenant = ctx.store.tenant(key.tenantId) as Tenant;
    let body: unknown = undefined;
    if (write && raw.length > 0 && raw.toString('utf8').trim() !== '') {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        throw new ApiError(400, 'BAD_REQUEST', `The body is not valid JSON: ${(e as Error).message}`);
      }
    }

    ctx.store.completeEnded();

    const idemHeader = req.headers['idempotency-key'];
    const idemKey = write && typeof idemHeader === 'string' ? idemHeader : null;
    if (idemKey !== null && !/^[\x21-\x7e][\x20-\x7e]{0,254}$/.test(idemKey)) {
      throw new ApiError(400, 'BAD_REQUEST', 'Idempotency-Key must be 1–255 printable ASCII characters.');
    }
    const bodyHash = idemKey !== null ? createHash('sha256').update(raw).digest('hex') : '';
    if (idemKey !== null) {
      const stored = ctx.db.prepare('SELECT method, path, body_hash, status, body, created_at FROM idempotency WHERE tenant_id = ? AND key = ?').get(tenant.id, idemKey) as
        | { method: string; path: string; body_hash: string; status: number; body: string; created_at: number }
        | undefined;
      if (stored && stored.created_at > ctx.clock.now() - IDEMPOTENCY_TTL_MS) {
        if (stored.method !== method || stored.path !== url.pathname || stored.body_hash !== bodyHash) {
          throw new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', `Idempotency-Key "${idemKey}" was already used for a different request (${stored.method} ${stored.path}).`);
        }
        ctx.log(`idempotent replay ${method} ${url.pathname} key=${idemKey}`);
        return answer({ status: stored.status, body: stored.body }, { 'idempotent-replayed': 'true' });
      }
    }
    const store = (a: Answer): void => {
      if (idemKey === null || a.status >= 500) return;
      ctx.db
        .prepare('INSERT OR REPLACE INTO idempotency (tenant_id, key, method, path, body_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(tenant.id, idemKey, method, url.pathname, bodyHash, a.status, a.body, ctx.clock.now());
    };

    const params = match.params;
    let result: Answer;
    try {
      result = runWrite(ctx, tenant.id, idemKey, (w) => {
        const a = match.route.handler({ store: ctx.store, tenant, keyId: key.keyId, scopes: key.scopes, params, query: url.searchParams, body, w });
        if (write) store(a);
        return a;
      });
    } catch (e) {
      if (e instanceof ApiError && e.status < 500 && write) {
        store({ status: e.status, body: errorBody(e.code, e.message, e.details) });
      }
      throw e;
    }
    if (write) ctx.log(`${method} ${url.pathname} → ${result.status}${idemKey ? ` key=${idemKey}` : ''}`);
    answer(result);
  } catch (e) {
    if (e instanceof ApiError) return fail(e);
    ctx.log(`error: ${(e as Error).stack ?? String(e)}`);
    fail(new ApiError(500, 'INTERNAL', 'Internal error.'));
  }
}
