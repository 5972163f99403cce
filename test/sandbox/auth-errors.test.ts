/**
 * Authentication, scopes and the generic error answers (400, 401, 403, 404, 405, 413) of the
 * Orkestr API v1 sandbox, plus GET /me and the admin token on /_sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyPattern } from '../../src/shared/contract/types.ts';
import { ADMIN_TOKEN, expectError, expectOk, KEYS, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ seed: 'demo' });
});
afterAll(async () => {
  await h?.dispose();
});

describe('GET /v1/api/me', () => {
  it('answers the tenant, scopes and key id of an atlas key', async () => {
    const me = expectOk(await h.api('GET', '/v1/api/me'));
    expect(me.tenant.id).toMatch(/^tnt_/);
    expect(me.tenant.name).toBe('Atlas Studios');
    expect(me.tenant.subdomain).toBe('atlas');
    expect(me.tenant.displayCurrency).toBe('USD');
    expect(me.tenant.timezone).toBe('America/New_York');
    expect(['PENDING', 'VERIFIED', 'REJECTED']).toContain(me.tenant.kybStatus);
    expect(me.tenant.kybVerifiedAt === null || typeof me.tenant.kybVerifiedAt === 'string').toBe(true);
    expect([...me.scopes].sort()).toEqual(['read', 'write']);
    expect(me.keyId).toMatch(/^key_/);
  });

  it('answers harbor for a harbor key, with its own scopes', async () => {
    const me = expectOk(await h.api('GET', '/v1/api/me', { key: KEYS.harborRo }));
    expect(me.tenant.name).toBe('Harbor Rides');
    expect(me.tenant.subdomain).toBe('harbor');
    expect(me.tenant.displayCurrency).toBe('EUR');
    expect(me.tenant.timezone).toBe('Europe/Lisbon');
    expect(me.scopes).toEqual(['read']);
    const atlas = expectOk(await h.api('GET', '/v1/api/me'));
    expect(me.tenant.id).not.toBe(atlas.tenant.id);
    expect(me.keyId).not.toBe(atlas.keyId);
  });

  it('reports the admin scope of an admin key', async () => {
    const me = expectOk(await h.api('GET', '/v1/api/me', { key: KEYS.atlasAdmin }));
    expect([...me.scopes].sort()).toEqual(['admin', 'read', 'write']);
  });
});

describe('401 UNAUTHORIZED', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['no Authorization header', {}],
    ['a non-Bearer scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ['a Bearer token without the ork_ format', { authorization: 'Bearer not-a-key' }],
    ['a prefix that is too short', { authorization: 'Bearer ork_abc.atlas-rw-secret-0001' }],
    ['an upper-case prefix', { authorization: 'Bearer ork_ATLAS001.atlas-rw-secret-0001' }],
    ['a secret that is too short', { authorization: 'Bearer ork_atlas001.short' }],
    ['a secret with bad characters', { authorization: 'Bearer ork_atlas001.atlas-rw-secret!0001' }],
    ['an unknown well-formed key', { authorization: 'Bearer ork_zzzz9999.unknown-secret-abcdef' }],
    ['a known prefix with the wrong secret', { authorization: 'Bearer ork_atlas001.atlas-rw-secret-9999' }],
  ];
  for (const [name, headers] of cases) {
    it(`rejects ${name}`, async () => {
      expectError(await h.api('GET', '/v1/api/me', { key: null, headers }), 401, 'UNAUTHORIZED');
      expectError(await h.api('GET', '/v1/api/offerings', { key: null, headers }), 401, 'UNAUTHORIZED');
    });
  }

  it('rejects a key after it is revoked, and only that key', async () => {
    const created = expectOk(
      await h.admin('POST', '/_sandbox/keys', { tenant: 'atlas', scopes: ['read', 'write'] }),
      201,
    );
    expect(created.token).toMatch(apiKeyPattern);
    expect(created.keyId).toMatch(/^key_/);
    const me = expectOk(await h.api('GET', '/v1/api/me', { key: created.token }));
    expect(me.keyId).toBe(created.keyId);
    expect(me.tenant.subdomain).toBe('atlas');

    const rev = await h.admin('POST', `/_sandbox/keys/${created.keyId}/revoke`);
    expect(rev.status, rev.text).toBeLessThan(300);
    expectError(await h.api('GET', '/v1/api/me', { key: created.token }), 401, 'UNAUTHORIZED');
    expectError(
      await h.api('POST', '/v1/api/coupons', { key: created.token, body: { code: 'REVOKED1', kind: 'PERCENT', amount: 5 } }),
      401,
      'UNAUTHORIZED',
    );
    expectOk(await h.api('GET', '/v1/api/me'));
  });

  it('creates keys with a chosen token, tenant and scopes', async () => {
    const token = 'ork_custom01.custom-token-secret-0001';
    const created = await h.admin('POST', '/_sandbox/keys', { tenant: 'harbor', scopes: ['read'], token });
    expect(created.status, created.text).toBeLessThan(300);
    expect(created.body.token).toBe(token);
    const me = expectOk(await h.api('GET', '/v1/api/me', { key: token }));
    expect(me.tenant.subdomain).toBe('harbor');
    expect(me.scopes).toEqual(['read']);
  });
});

describe('403 FORBIDDEN_SCOPE', () => {
  it('lets a read-only key GET but not write', async () => {
    const list = expectOk(await h.api('GET', '/v1/api/offerings?status=ALL', { key: KEYS.atlasRo }));
    const off = list.data[0];
    expect(off, 'the demo seed has offerings').toBeDefined();
    expectOk(await h.api('GET', `/v1/api/offerings/${off.id}`, { key: KEYS.atlasRo }));
    expectOk(await h.api('GET', '/v1/api/bookings', { key: KEYS.atlasRo }));
    expectOk(await h.api('GET', '/v1/api/coupons', { key: KEYS.atlasRo }));
    expectOk(await h.api('GET', '/v1/api/availability', { key: KEYS.atlasRo }));

    const bookings = expectOk(await h.api('GET', '/v1/api/bookings?status=PENDING', { key: KEYS.atlasRo }));
    const pending = bookings.data[0];
    expect(pending, 'the demo seed has PENDING bookings').toBeDefined();

    const writes: Array<[string, string, unknown]> = [
      ['POST', '/v1/api/offerings', { title: 'Nope', productTypeKey: 'space', basePriceCents: 1, currency: 'USD' }],
      ['PATCH', `/v1/api/offerings/${off.id}`, { title: 'Renamed by read-only' }],
      ['DELETE', `/v1/api/offerings/${off.id}`, undefined],
      ['POST', `/v1/api/bookings/${pending.id}/approve`, {}],
      ['POST', `/v1/api/bookings/${pending.id}/cancel`, {}],
      ['PATCH', `/v1/api/bookings/${pending.id}`, { notes: 'nope' }],
      ['POST', '/v1/api/coupons', { code: 'READONLY', kind: 'PERCENT', amount: 10 }],
    ];
    for (const [method, path, body] of writes) {
      expectError(await h.api(method, path, { key: KEYS.atlasRo, body }), 403, 'FORBIDDEN_SCOPE');
    }
    // Nothing changed.
    const again = expectOk(await h.api('GET', `/v1/api/offerings/${off.id}`));
    expect(again.version).toBe(off.version);
    expect(again.deletedAt).toBeNull();
    const b = expectOk(await h.api('GET', `/v1/api/bookings/${pending.id}`));
    expect(b.status).toBe('PENDING');
    expect(b.notes).toBe(pending.notes);
  });

  it('does not let a write-only key read', async () => {
    expectError(await h.api('GET', '/v1/api/offerings', { key: KEYS.atlasWo }), 403, 'FORBIDDEN_SCOPE');
    expectError(await h.api('GET', '/v1/api/bookings', { key: KEYS.atlasWo }), 403, 'FORBIDDEN_SCOPE');
    const res = await h.api('POST', '/v1/api/coupons', {
      key: KEYS.atlasWo,
      body: { code: 'WRITEONLY', kind: 'PERCENT', amount: 10 },
    });
    expectOk(res, 201);
  });

  it('lets a read,write,admin key read and write', async () => {
    expectOk(await h.api('GET', '/v1/api/coupons', { key: KEYS.atlasAdmin }));
    expectOk(
      await h.api('POST', '/v1/api/coupons', { key: KEYS.atlasAdmin, body: { code: 'ADMINKEY', kind: 'PERCENT', amount: 10 } }),
      201,
    );
  });
});

describe('400 BAD_REQUEST', () => {
  it('rejects a body that is not JSON', async () => {
    const res = await h.api('POST', '/v1/api/offerings', { body: '{"title": "Broken', headers: { 'content-type': 'application/json' } });
    expectError(res, 400, 'BAD_REQUEST');
    const res2 = await h.api('POST', '/v1/api/coupons', { body: 'code=ABC' });
    expectError(res2, 400, 'BAD_REQUEST');
  });

  it('rejects malformed query parameters', async () => {
    expectError(await h.api('GET', '/v1/api/bookings?limit=abc'), 400, 'BAD_REQUEST');
    expectError(await h.api('GET', '/v1/api/bookings?limit=0'), 400, 'BAD_REQUEST');
    expectError(await h.api('GET', '/v1/api/offerings?limit=-3'), 400, 'BAD_REQUEST');
    expectError(await h.api('GET', '/v1/api/coupons?limit=0'), 400, 'BAD_REQUEST');
  });
});

describe('404 NOT_FOUND', () => {
  it('answers unknown ids and unknown paths with 404', async () => {
    expectError(await h.api('GET', '/v1/api/offerings/off_doesnotexist'), 404, 'NOT_FOUND');
    expectError(await h.api('GET', '/v1/api/offerings/no-such-slug-here'), 404, 'NOT_FOUND');
    expectError(await h.api('PATCH', '/v1/api/offerings/off_doesnotexist', { body: { title: 'x' } }), 404, 'NOT_FOUND');
    expectError(await h.api('DELETE', '/v1/api/offerings/off_doesnotexist'), 404, 'NOT_FOUND');
    expectError(await h.api('GET', '/v1/api/bookings/bkg_doesnotexist'), 404, 'NOT_FOUND');
    expectError(await h.api('POST', '/v1/api/bookings/bkg_doesnotexist/approve', { body: {} }), 404, 'NOT_FOUND');
    expectError(await h.api('POST', '/v1/api/bookings/bkg_doesnotexist/cancel', { body: {} }), 404, 'NOT_FOUND');
    expectError(await h.api('PATCH', '/v1/api/bookings/bkg_doesnotexist', { body: { notes: 'x' } }), 404, 'NOT_FOUND');
    expectError(await h.api('GET', '/v1/api/coupons/cpn_doesnotexist'), 404, 'NOT_FOUND');
    expectError(await h.api('PATCH', '/v1/api/coupons/cpn_doesnotexist', { body: { amount: 5 } }), 404, 'NOT_FOUND');
    expectError(await h.api('DELETE', '/v1/api/coupons/cpn_doesnotexist'), 404, 'NOT_FOUND');
    expectError(await h.api('GET', '/v1/api/no-such-resource'), 404);
  });
});

describe('405 for a method the path does not have', () => {
  it('answers 405 with the error body', async () => {
    const b = expectOk(await h.api('GET', '/v1/api/bookings?limit=1')).data[0];
    const o = expectOk(await h.api('GET', '/v1/api/offerings?status=ALL&limit=1')).data[0];
    const cases: Array<[string, string]> = [
      ['PUT', '/v1/api/offerings'],
      ['DELETE', '/v1/api/offerings'],
      ['PUT', `/v1/api/offerings/${o.id}`],
      ['POST', '/v1/api/bookings'],
      ['DELETE', `/v1/api/bookings/${b.id}`],
      ['GET', `/v1/api/bookings/${b.id}/approve`],
      ['POST', '/v1/api/me'],
      ['POST', '/v1/api/availability'],
    ];
    for (const [method, path] of cases) {
      const res = await h.api(method, path, { body: method === 'GET' ? undefined : {} });
      expectError(res, 405);
    }
  });
});

describe('413 PAYLOAD_TOO_LARGE', () => {
  it('refuses a body over 1 MiB and creates nothing', async () => {
    const big = JSON.stringify({
      title: 'Huge',
      productTypeKey: 'space',
      basePriceCents: 100,
      currency: 'USD',
      description: 'x'.repeat(1024 * 1024 + 10),
    });
    const res = await h.api('POST', '/v1/api/offerings', { body: big });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    const all = expectOk(await h.api('GET', '/v1/api/offerings?status=ALL&limit=500'));
    expect(all.data.some((o: { title: string }) => o.title === 'Huge')).toBe(false);
  });

  it('accepts a body just under 1 MiB (the limit is not lower)', async () => {
    // Valid JSON padded with whitespace, so no field length rule gets in the way.
    const json = JSON.stringify({ title: 'Almost huge', productTypeKey: 'space', basePriceCents: 100, currency: 'USD' });
    const body = json.slice(0, -1) + ' '.repeat(1024 * 1024 - json.length - 100) + '}';
    expect(Buffer.byteLength(body)).toBeLessThan(1024 * 1024);
    expect(Buffer.byteLength(body)).toBeGreaterThan(1000 * 1000);
    const res = await h.api('POST', '/v1/api/offerings', { body });
    expectOk(res, 201);
  });
});

describe('/_sandbox control surface', () => {
  it('needs the admin token', async () => {
    const noAuth = await h.api('GET', '/_sandbox/state', { key: null });
    expect(noAuth.status).toBe(401);
    const apiKey = await h.api('GET', '/_sandbox/state', { key: KEYS.atlasAdmin });
    expect([401, 403]).toContain(apiKey.status);
    const ok = await h.admin('GET', '/_sandbox/state');
    expect(ok.status).toBe(200);
    expect(ok.body).toBeTypeOf('object');
  });
});

describe('a sandbox started without an adminToken', () => {
  it('makes up a random admin token and reports it', async () => {
    const x = await startHarness({ seed: 'none', adminToken: undefined });
    try {
      expect(x.sandbox.adminToken).toBeTypeOf('string');
      expect(x.sandbox.adminToken.length).toBeGreaterThanOrEqual(16);
      expect(x.sandbox.adminToken).not.toBe(ADMIN_TOKEN);
      expect((await x.admin('GET', '/_sandbox/state')).status).toBe(200);
      const wrong = await x.api('GET', '/_sandbox/state', { key: null, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(wrong.status).toBe(401);
      expect(x.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(x.sandbox.port).toBeGreaterThan(0);
    } finally {
      await x.dispose();
    }
  });
});
