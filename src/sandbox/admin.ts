import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { apiKeyPattern } from '../shared/contract/types.ts';
import { SCOPES, generateToken } from './auth.ts';
import type { Context } from './server.ts';
import { noFaults, readRequestBody, send, sendError } from './server.ts';
import {
  sendTestWebhook,
  simulateBooking,
  simulateCustomerCancel,
  simulateDispute,
  simulateKyb,
  simulateReview,
  tenantFor,
} from './simulate.ts';
import type { Scope } from './types.ts';
import { ApiError, isPlainObject, parseInstant } from './util.ts';

/** `/_sandbox/*`: the sandbox's own control surface (faults, keys, webhooks, simulations, clock). */
export async function handleAdmin(ctx: Context & { adminToken: string }, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const raw = await readRequestBody(req, res);
  if (raw === null) return;
  try {
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const a = Buffer.from(auth);
    const b = Buffer.from(ctx.adminToken);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new ApiError(401, 'UNAUTHORIZED', 'The admin token is required: Authorization: Bearer <admin token>.');
    let body: Record<string, unknown> = {};
    if (raw.length > 0 && raw.toString('utf8').trim() !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        throw new ApiError(400, 'BAD_REQUEST', `The body is not valid JSON: ${(e as Error).message}`);
      }
      if (!isPlainObject(parsed)) throw new ApiError(400, 'BAD_REQUEST', 'The body must be a JSON object.');
      body = parsed;
    }
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '');
    const result = route(ctx, method, path, body, url);
    send(res, result.status ?? 200, JSON.stringify(result.body));
  } catch (e) {
    if (e instanceof ApiError) return sendError(res, e);
    ctx.log(`admin error: ${(e as Error).stack ?? String(e)}`);
    sendError(res, new ApiError(500, 'INTERNAL', (e as Error).message));
  }
}

function num(body: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ApiError(422, 'VALIDATION_FAILED', `${field} must be a number ${min}…${max}`, { fields: [{ field, message: `must be a number ${min}…${max}` }] });
  }
  return v;
}

// eslint-disable-next-line max-lines-per-function -- a route table: one short branch per admin endpoint
function route(ctx: Context & { adminToken: string }, method: string, path: string, body: Record<string, unknown>, url: URL): { status?: number; body: unknown } {
  const key = `${method} ${path}`;
  switch (key) {
    case 'GET /_sandbox/state':
      return { body: state(ctx) };
    case 'GET /_sandbox/faults':
      return { body: ctx.faults };
    case 'PUT /_sandbox/faults': {
      const latencyMs = num(body, 'latencyMs', 0, 600_000);
      const errorRate = num(body, 'errorRate', 0, 1);
      const dropRate = num(body, 'dropRate', 0, 1);
      const rate = body['rateLimitPerMinute'] === null ? null : num(body, 'rateLimitPerMinute', 1, 10_000_000);
      if (latencyMs !== undefined) ctx.faults.latencyMs = latencyMs;
      if (errorRate !== undefined) ctx.faults.errorRate = errorRate;
      if (dropRate !== undefined) ctx.faults.dropRate = dropRate;
      if (rate !== undefined) ctx.faults.rateLimitPerMinute = rate;
      ctx.log(`faults: ${JSON.stringify(ctx.faults)}`);
      return { body: ctx.faults };
    }
    case 'DELETE /_sandbox/faults':
      Object.assign(ctx.faults, noFaults());
      ctx.log('faults cleared');
      return { body: ctx.faults };
    case 'POST /_sandbox/keys': {
      const tenant = tenantFor(ctx, body['tenant']);
      let scopes: Scope[] = ['read', 'write'];
      if (body['scopes'] !== undefined) {
        const s = body['scopes'];
        const list = Array.isArray(s) ? s : typeof s === 'string' ? s.split(',') : null;
        if (!list || list.length === 0 || !list.every((x) => (SCOPES as readonly unknown[]).includes(x))) {
          throw new ApiError(422, 'VALIDATION_FAILED', `scopes must be a list of ${SCOPES.join(', ')}`, { fields: [{ field: 'scopes', message: `must be a non-empty list of ${SCOPES.join(', ')}` }] });
        }
        scopes = list as Scope[];
      }
      const token = body['token'] === undefined ? generateToken() : body['token'];
      if (typeof token !== 'string' || !apiKeyPattern.test(token)) {
        throw new ApiError(422, 'VALIDATION_FAILED', 'token must look like ork_<prefix>.<secret>', { fields: [{ field: 'token', message: 'must look like ork_<8 lowercase alnum>.<16–64 [A-Za-z0-9_-]>' }] });
      }
      const keyId = ctx.keys.upsert(token, tenant.id, scopes, ctx.clock.iso());
      ctx.log(`key ${keyId} created for ${tenant.subdomain} (${scopes.join(',')})`);
      return { status: 201, body: { token, keyId, tenant: tenant.subdomain, scopes } };
    }
    case 'GET /_sandbox/effects': {
      const rows = ctx.db.prepare('SELECT e.idempotency_key, e.kind, e.target_id, e.at, t.subdomain FROM effects e JOIN tenants t ON t.id = e.tenant_id ORDER BY e.id').all() as {
        idempotency_key: string;
        kind: string;
        target_id: string;
        at: string;
        subdomain: string;
      }[];
      const only = url.searchParams.get('idempotencyKey');
      return {
        body: {
          effects: rows
            .filter((r) => only === null || r.idempotency_key === only)
            .map((r) => ({ idempotencyKey: r.idempotency_key, kind: r.kind, targetId: r.target_id, at: r.at, tenant: r.subdomain })),
        },
      };
    }
    case 'PUT /_sandbox/webhook': {
      const tenant = tenantFor(ctx, body['tenant']);
      const url = body['url'];
      const secret = body['secret'];
      if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new ApiError(422, 'VALIDATION_FAILED', 'url must be an http(s) URL', { fields: [{ field: 'url', message: 'must be an http(s) URL' }] });
      if (typeof secret !== 'string' || secret === '') throw new ApiError(422, 'VALIDATION_FAILED', 'secret is required', { fields: [{ field: 'secret', message: 'is required' }] });
      const base = num(body, 'retryBaseMs', 1, 3_600_000) ?? 1000;
      ctx.webhooks.setSubscription(tenant.id, url, secret, Math.round(base));
      ctx.log(`webhook for ${tenant.subdomain} → ${url}`);
      return { body: { tenant: tenant.subdomain, url, retryBaseMs: Math.round(base) } };
    }
    case 'DELETE /_sandbox/webhook': {
      const tenant = tenantFor(ctx, body['tenant'] ?? url.searchParams.get('tenant') ?? undefined);
      ctx.webhooks.removeSubscription(tenant.id);
      return { body: { tenant: tenant.subdomain, url: null } };
    }
    case 'POST /_sandbox/webhook/test':
      return { status: 202, body: sendTestWebhook(ctx, body) };
    case 'GET /_sandbox/deliveries':
      return { body: { deliveries: ctx.webhooks.list() } };
    case 'POST /_sandbox/simulate/booking':
      return { status: 201, body: simulateBooking(ctx, body) };
    case 'POST /_sandbox/simulate/customer-cancel':
      return { body: simulateCustomerCancel(ctx, body) };
    case 'POST /_sandbox/simulate/dispute':
      return { status: 201, body: simulateDispute(ctx, body) };
    case 'POST /_sandbox/simulate/review':
      return { status: 201, body: simulateReview(ctx, body) };
    case 'POST /_sandbox/simulate/kyb':
      return { body: simulateKyb(ctx, body) };
    case 'GET /_sandbox/clock':
      return { body: { now: ctx.clock.iso(), fixed: ctx.clock.isFixed() } };
    case 'POST /_sandbox/clock':
    case 'PUT /_sandbox/clock': {
      const now = parseInstant(body['now']);
      if (now === null) throw new ApiError(422, 'VALIDATION_FAILED', 'now must be an ISO timestamp', { fields: [{ field: 'now', message: 'must be an ISO-8601 timestamp with a zone' }] });
      ctx.clock.set(Date.parse(now));
      const completed = ctx.store.completeEnded();
      ctx.log(`clock set to ${now}${completed ? ` (${completed} bookings completed)` : ''}`);
      return { body: { now, fixed: true, completed } };
    }
    case 'DELETE /_sandbox/clock':
      ctx.clock.set(null);
      ctx.store.completeEnded();
      return { body: { now: ctx.clock.iso(), fixed: false } };
    default: {
      const revoke = /^POST \/_sandbox\/keys\/([^/]+)\/revoke$/.exec(key);
      if (revoke) {
        const keyId = decodeURIComponent(revoke[1]!);
        if (!ctx.keys.revoke(keyId, ctx.clock.iso())) throw new ApiError(404, 'NOT_FOUND', `Key ${keyId} not found.`);
        ctx.log(`key ${keyId} revoked`);
        return { body: { keyId, revoked: true } };
      }
      throw new ApiError(404, 'NOT_FOUND', `No sandbox route ${method} ${path}.`);
    }
  }
}

function state(ctx: Context): unknown {
  const tenants = ctx.db.prepare('SELECT id, subdomain, seq, kyb_status FROM tenants ORDER BY subdomain').all() as { id: string; subdomain: string; seq: number; kyb_status: string }[];
  const count = (sql: string, id: string): number => (ctx.db.prepare(sql).get(id) as { n: number }).n;
  const perTenant: Record<string, unknown> = {};
  for (const t of tenants) {
    const statuses = Object.fromEntries(
      (ctx.db.prepare('SELECT status, count(*) AS n FROM bookings WHERE tenant_id = ? GROUP BY status').all(t.id) as { status: string; n: number }[]).map((r) => [r.status, r.n]),
    );
    perTenant[t.subdomain] = {
      id: t.id,
      seq: t.seq,
      kybStatus: t.kyb_status,
      offerings: count('SELECT count(*) AS n FROM offerings WHERE tenant_id = ?', t.id),
      offeringsDeleted: count('SELECT count(*) AS n FROM offerings WHERE tenant_id = ? AND deleted = 1', t.id),
      bookings: count('SELECT count(*) AS n FROM bookings WHERE tenant_id = ?', t.id),
      bookingsByStatus: statuses,
      coupons: count('SELECT count(*) AS n FROM coupons WHERE tenant_id = ?', t.id),
      availabilityRules: count('SELECT count(*) AS n FROM availability_rules WHERE tenant_id = ?', t.id),
      availabilityExceptions: count('SELECT count(*) AS n FROM availability_exceptions WHERE tenant_id = ?', t.id),
      disputes: count('SELECT count(*) AS n FROM disputes WHERE tenant_id = ?', t.id),
      reviews: count('SELECT count(*) AS n FROM reviews WHERE tenant_id = ?', t.id),
      keys: count('SELECT count(*) AS n FROM api_keys WHERE tenant_id = ?', t.id),
      deliveries: count('SELECT count(*) AS n FROM deliveries WHERE tenant_id = ?', t.id),
    };
  }
  const total = (table: string): number => (ctx.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return {
    now: ctx.clock.iso(),
    tenants: perTenant,
    tables: Object.fromEntries(
      ['tenants', 'api_keys', 'offerings', 'bookings', 'booking_items', 'coupons', 'availability_rules', 'availability_exceptions', 'disputes', 'reviews', 'idempotency', 'effects', 'deliveries'].map((t) => [t, total(t)]),
    ),
    faults: ctx.faults,
  };
}
