/**
 * Offerings: list (status filter, includeDeleted), get by id and by slug, create (defaults,
 * validation, SLUG_TAKEN), patch (read-only fields), soft delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOffering,
  errorFields,
  expectError,
  expectListShape,
  expectOffering,
  expectOk,
  ISO_MS,
  startHarness,
} from './harness.ts';
import type { Harness, Json } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ seed: 'none' });
});
afterAll(async () => {
  await h?.dispose();
});

describe('POST /v1/api/offerings', () => {
  it('creates with the documented defaults', async () => {
    const res = await h.api('POST', '/v1/api/offerings', {
      body: { title: 'Soho Loft Studio', productTypeKey: 'space', basePriceCents: 12000, currency: 'USD' },
    });
    const o = expectOk(res, 201);
    expectOffering(o);
    expect(o.title).toBe('Soho Loft Studio');
    expect(o.slug).toBe('soho-loft-studio');
    expect(o.status).toBe('DRAFT');
    expect(o.pricingModel).toBe('ONE_TIME');
    expect(o.taxRateBps).toBe(0);
    expect(o.cancellationPolicy).toBe('MODERATE');
    expect(o.categories).toEqual([]);
    expect(o.attributes).toEqual({});
    expect(o.description).toBe('');
    expect(o.basePriceCents).toBe(12000);
    expect(o.currency).toBe('USD');
    expect(o.deletedAt).toBeNull();
    expect(o.version).toBe(1);
    expect(o.reviewCount).toBe(0);
    // A DRAFT is found by id and by slug too (only deleted ones are hidden).
    expect(expectOk(await h.api('GET', `/v1/api/offerings/${o.id}`))).toEqual(o);
    expect(expectOk(await h.api('GET', '/v1/api/offerings/soho-loft-studio'))).toEqual(o);
  });

  it('derives a slug of a-z0-9- from a title with punctuation and accents', async () => {
    const o = await createOffering(h, { title: '  Café & Bar: Room #2!  ' });
    expect(o.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('keeps every given field', async () => {
    const body = {
      title: 'Kayak Half Day',
      slug: 'kayak-half-day',
      description: 'Two seats.',
      status: 'PUBLISHED',
      productTypeKey: 'equipment',
      categories: ['water', 'outdoor'],
      attributes: { seats: 2, color: 'red' },
      basePriceCents: 4500,
      currency: 'EUR',
      taxRateBps: 825,
      pricingModel: 'DAILY',
      cancellationPolicy: 'STRICT',
    };
    const o = expectOk(await h.api('POST', '/v1/api/offerings', { body }), 201);
    expectOffering(o);
    for (const [k, v] of Object.entries(body)) expect(o[k], k).toEqual(v);
    const got = expectOk(await h.api('GET', `/v1/api/offerings/${o.id}`));
    expect(got).toEqual(o);
    const bySlug = expectOk(await h.api('GET', '/v1/api/offerings/kayak-half-day'));
    expect(bySlug.id).toBe(o.id);
  });

  it('answers 422 with one entry per invalid field', async () => {
    const res = await h.api('POST', '/v1/api/offerings', {
      body: {
        title: '',
        productTypeKey: 'castle',
        basePriceCents: -1,
        currency: 'usd',
        taxRateBps: 10_001,
        slug: 'Bad Slug',
        pricingModel: 'WEEKLY',
        cancellationPolicy: 'LENIENT',
        status: 'LIVE',
      },
    });
    expectError(res, 422, 'VALIDATION_FAILED');
    const fields = errorFields(res);
    for (const f of [
      'title',
      'productTypeKey',
      'basePriceCents',
      'currency',
      'taxRateBps',
      'slug',
      'pricingModel',
      'cancellationPolicy',
      'status',
    ]) {
      expect(fields, f).toContain(f);
    }
  });

  it('validates each rule at its boundary', async () => {
    const base = { title: 'Bounds', productTypeKey: 'class', basePriceCents: 100, currency: 'USD' };
    const bad: Array<[string, Record<string, unknown>]> = [
      ['title', { title: 'x'.repeat(201) }],
      ['basePriceCents', { basePriceCents: 100_000_001 }],
      ['basePriceCents', { basePriceCents: 10.5 }],
      ['basePriceCents', { basePriceCents: '100' }],
      ['currency', { currency: 'US' }],
      ['taxRateBps', { taxRateBps: -1 }],
      ['taxRateBps', { taxRateBps: 1.5 }],
      ['slug', { slug: 'a'.repeat(81) }],
      ['slug', { slug: 'double--dash' }],
      ['slug', { slug: '-leading' }],
    ];
    for (const [field, patch] of bad) {
      const res = await h.api('POST', '/v1/api/offerings', { body: { ...base, ...patch } });
      expectError(res, 422, 'VALIDATION_FAILED');
      expect(errorFields(res), JSON.stringify(patch)).toContain(field);
    }
    const good = await h.api('POST', '/v1/api/offerings', {
      body: { ...base, title: 't'.repeat(200), slug: 'a'.repeat(80), basePriceCents: 100_000_000, taxRateBps: 10_000 },
    });
    expectOk(good, 201);
    const zero = await h.api('POST', '/v1/api/offerings', { body: { ...base, basePriceCents: 0, taxRateBps: 0, slug: 'zero' } });
    expectOk(zero, 201);
  });

  it('requires title, productTypeKey, basePriceCents and currency', async () => {
    const res = await h.api('POST', '/v1/api/offerings', { body: {} });
    expectError(res, 422, 'VALIDATION_FAILED');
    const fields = errorFields(res);
    for (const f of ['title', 'productTypeKey', 'basePriceCents', 'currency']) expect(fields).toContain(f);
  });

  it('rejects unknown fields and read-only fields', async () => {
    const base = { title: 'Unknowns', productTypeKey: 'class', basePriceCents: 100, currency: 'USD' };
    expectError(await h.api('POST', '/v1/api/offerings', { body: { ...base, colour: 'blue' } }), 422, 'VALIDATION_FAILED');
    expectError(await h.api('POST', '/v1/api/offerings', { body: { ...base, ratingAverage: 5 } }), 422, 'VALIDATION_FAILED');
  });

  it('answers 409 SLUG_TAKEN for a live slug of the tenant, but frees it after delete', async () => {
    const a = await createOffering(h, { slug: 'taken-slug' });
    const res = await h.api('POST', '/v1/api/offerings', {
      body: { title: 'Other', slug: 'taken-slug', productTypeKey: 'space', basePriceCents: 1, currency: 'USD' },
    });
    expectError(res, 409, 'SLUG_TAKEN');
    const b = await createOffering(h, { slug: 'other-slug' });
    expectError(await h.api('PATCH', `/v1/api/offerings/${b.id}`, { body: { slug: 'taken-slug' } }), 409, 'SLUG_TAKEN');
    expectOk(await h.api('DELETE', `/v1/api/offerings/${a.id}`));
    const again = await createOffering(h, { slug: 'taken-slug' });
    expect(again.id).not.toBe(a.id);
  });
});

describe('PATCH /v1/api/offerings/:id', () => {
  it('changes the given fields, bumps version and updatedAt', async () => {
    const o = await createOffering(h, { title: 'Patch Me' });
    const p = expectOk(
      await h.api('PATCH', `/v1/api/offerings/${o.id}`, {
        body: { title: 'Patched', status: 'PUBLISHED', basePriceCents: 777, categories: ['a'], cancellationPolicy: 'FLEXIBLE' },
      }),
    );
    expectOffering(p);
    expect(p.id).toBe(o.id);
    expect(p.title).toBe('Patched');
    expect(p.slug).toBe(o.slug);
    expect(p.status).toBe('PUBLISHED');
    expect(p.basePriceCents).toBe(777);
    expect(p.categories).toEqual(['a']);
    expect(p.cancellationPolicy).toBe('FLEXIBLE');
    expect(p.version).toBe(o.version + 1);
    expect(Date.parse(p.updatedAt)).toBeGreaterThanOrEqual(Date.parse(o.updatedAt));
    expect(p.createdAt).toBe(o.createdAt);
    const got = expectOk(await h.api('GET', `/v1/api/offerings/${o.id}`));
    expect(got).toEqual(p);
  });

  it('a PATCH that changes nothing keeps the version and does not move the record in the feed', async () => {
    const o = await createOffering(h, { title: 'Steady' });
    const cur = expectOk(await h.api('GET', '/v1/api/offerings?status=ALL&limit=500')).nextCursor;
    const p = expectOk(await h.api('PATCH', `/v1/api/offerings/${o.id}`, { body: { title: 'Steady', basePriceCents: o.basePriceCents } }));
    expect(p.version).toBe(o.version);
    expect(p.updatedAt).toBe(o.updatedAt);
    const feed = expectOk(await h.api('GET', `/v1/api/offerings?status=ALL&cursor=${encodeURIComponent(cur)}`));
    expect(feed.data).toEqual([]);
  });

  it('validates the fields given and refuses read-only ones', async () => {
    const o = await createOffering(h);
    const cases: Array<[string, Record<string, unknown>]> = [
      ['basePriceCents', { basePriceCents: -5 }],
      ['currency', { currency: 'euro' }],
      ['title', { title: '' }],
      ['ratingAverage', { ratingAverage: 4.9 }],
      ['reviewCount', { reviewCount: 100 }],
      ['id', { id: 'off_other' }],
      ['version', { version: 99 }],
      ['createdAt', { createdAt: '2020-01-01T00:00:00.000Z' }],
      ['updatedAt', { updatedAt: '2020-01-01T00:00:00.000Z' }],
      ['deletedAt', { deletedAt: '2020-01-01T00:00:00.000Z' }],
      ['colour', { colour: 'blue' }],
    ];
    for (const [field, body] of cases) {
      const res = await h.api('PATCH', `/v1/api/offerings/${o.id}`, { body });
      expectError(res, 422, 'VALIDATION_FAILED');
      expect(errorFields(res), field).toContain(field);
    }
    const got = expectOk(await h.api('GET', `/v1/api/offerings/${o.id}`));
    expect(got.version).toBe(o.version);
  });
});

describe('DELETE /v1/api/offerings/:id', () => {
  it('soft-deletes: answers the record with deletedAt and ARCHIVED, then 404', async () => {
    const o = await createOffering(h, { status: 'PUBLISHED', slug: 'to-delete' });
    const d = expectOk(await h.api('DELETE', `/v1/api/offerings/${o.id}`));
    expectOffering(d);
    expect(d.id).toBe(o.id);
    expect(d.deletedAt).toMatch(ISO_MS);
    expect(d.status).toBe('ARCHIVED');
    expect(d.version).toBe(o.version + 1);
    expectError(await h.api('GET', `/v1/api/offerings/${o.id}`), 404, 'NOT_FOUND');
    expectError(await h.api('GET', '/v1/api/offerings/to-delete'), 404, 'NOT_FOUND');
    expectError(await h.api('DELETE', `/v1/api/offerings/${o.id}`), 404, 'NOT_FOUND');
    expectError(await h.api('PATCH', `/v1/api/offerings/${o.id}`, { body: { title: 'zombie' } }), 404, 'NOT_FOUND');
  });
});

describe('GET /v1/api/offerings', () => {
  let draft: Json;
  let published: Json;
  let archived: Json;
  let deleted: Json;
  beforeAll(async () => {
    draft = await createOffering(h, { status: 'DRAFT' });
    published = await createOffering(h, { status: 'PUBLISHED' });
    archived = await createOffering(h, { status: 'ARCHIVED' });
    deleted = await createOffering(h, { status: 'PUBLISHED' });
    expectOk(await h.api('DELETE', `/v1/api/offerings/${deleted.id}`));
  });

  const ids = (b: Json): string[] => (b.data as Json[]).map((o) => o.id as string);

  it('lists only PUBLISHED by default, with the list envelope and full records', async () => {
    const body = expectOk(await h.api('GET', '/v1/api/offerings?limit=500'));
    expectListShape(body);
    for (const o of body.data as Json[]) {
      expectOffering(o);
      expect(o.status).toBe('PUBLISHED');
      expect(o.deletedAt).toBeNull();
    }
    expect(ids(body)).toContain(published.id);
    expect(ids(body)).not.toContain(draft.id);
    expect(ids(body)).not.toContain(archived.id);
    expect(ids(body)).not.toContain(deleted.id);
  });

  it('filters by status DRAFT / ARCHIVED and shows all with ALL', async () => {
    const d = expectOk(await h.api('GET', '/v1/api/offerings?status=DRAFT&limit=500'));
    expect(ids(d)).toContain(draft.id);
    expect((d.data as Json[]).every((o) => o.status === 'DRAFT')).toBe(true);
    const a = expectOk(await h.api('GET', '/v1/api/offerings?status=ARCHIVED&limit=500'));
    expect(ids(a)).toContain(archived.id);
    expect(ids(a)).not.toContain(deleted.id);
    const all = expectOk(await h.api('GET', '/v1/api/offerings?status=ALL&limit=500'));
    expect(ids(all)).toEqual(expect.arrayContaining([draft.id, published.id, archived.id]));
    expect(ids(all)).not.toContain(deleted.id);
    expectError(await h.api('GET', '/v1/api/offerings?status=BOGUS'), 400, 'BAD_REQUEST');
  });

  it('shows soft-deleted offerings with deletedAt only when includeDeleted=true', async () => {
    const body = expectOk(await h.api('GET', '/v1/api/offerings?status=ALL&includeDeleted=true&limit=500'));
    const row = (body.data as Json[]).find((o) => o.id === deleted.id);
    expect(row).toBeDefined();
    expect(row.deletedAt).toMatch(ISO_MS);
    expect(ids(body)).toEqual(expect.arrayContaining([draft.id, published.id, archived.id]));
    // Live rows keep deletedAt null.
    expect((body.data as Json[]).find((o) => o.id === draft.id).deletedAt).toBeNull();
  });
});
