/**
 * Property-based tests of the relay's pure parsers: request paths (src/relay/routes.ts) and stream
 * frames (src/relay/protocol/frames.ts), both read from outside input. Bounded runs (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ackFrame, parseClientFrame, parseServerFrame, streamPath, type ServerFrame } from '../../src/relay/protocol/frames.ts';
import { parseRoute, parseStreamTarget, pathSegments } from '../../src/relay/routes.ts';

const runs = { numRuns: 200 };
const channelId = fc.stringMatching(/^ch_[A-Za-z0-9_-]{16,64}$/);
const methods = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');
/** Anything a client can put in a request line, weighted toward %-escapes. */
const anyTarget = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('%', '%E0%A4%A', '%zz', '%C0', '%ED%A0%80', '%00', '%2F', '?', '#', '//')), { maxLength: 8 }).map((p) => '/' + p.join('/')),
);

describe('request path parsing', () => {
  it('never throws; refusals are 400/404/405 only', () => {
    fc.assert(
      fc.property(methods, anyTarget, (method, target) => {
        const route = parseRoute(method, target);
        if (route.kind === 'refuse') expect([400, 404, 405]).toContain(route.status);
        const stream = parseStreamTarget(target);
        expect('channelId' in stream || [400, 404].includes(stream.status)).toBe(true);
      }),
      runs,
    );
  });

  it('answers 400 exactly when a path segment has a malformed %-escape', () => {
    const bad = fc.constantFrom('%', '%E0%A4%A', '%zz', '%C0', '%ED%A0%80', '%FF', '%e');
    fc.assert(
      fc.property(methods, fc.constantFrom('in', 'feeds', 'v1', 'x'), bad, (method, head, escape) => {
        const route = parseRoute(method, `/${head}/${escape}`);
        expect(route).toMatchObject({ kind: 'refuse', status: 400, code: 'BAD_PATH' });
        expect(parseStreamTarget(`/v1/channels/${escape}/stream`)).toEqual({ status: 400 });
      }),
      runs,
    );
  });

  it('reads back every channel id and feed key the relay itself writes into URLs, escaped or not', () => {
    fc.assert(
      fc.property(channelId, fc.stringMatching(/^[A-Za-z0-9_-]{22,40}$/), fc.nat({ max: 10 ** 15 - 1 }), (id, key, cursor) => {
        expect(parseRoute('POST', `/in/${id}`)).toEqual({ kind: 'ingress', channelId: id });
        const escaped = [...id].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
        expect(parseRoute('POST', `/in/${escaped}?x=1`)).toEqual({ kind: 'ingress', channelId: id });
        expect(parseRoute('GET', `/feeds/${key}.ics`)).toEqual({ kind: 'feed-read', feedKey: key });
        expect(parseRoute('PUT', `/v1/channels/${id}/feeds/${key}`)).toEqual({ kind: 'feed-write', channelId: id, feedKey: key });
        expect(parseStreamTarget(`${streamPath(id)}?cursor=${cursor}&token=rdt_x`)).toEqual({ channelId: id, token: 'rdt_x', cursor });
        expect(parseStreamTarget(streamPath(id))).toEqual({ channelId: id, token: null, cursor: null });
      }),
      runs,
    );
  });

  it('decodes any valid encoding of any text back to that text', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), { maxLength: 5 }), (segments) => {
        const path = '/' + segments.map(encodeURIComponent).join('/');
        expect(pathSegments(path)).toEqual(segments);
      }),
      runs,
    );
  });

  it('refuses a cursor that is not 1-15 digits, and targets that are not origin-form', () => {
    fc.assert(
      fc.property(channelId, fc.string({ maxLength: 20 }).filter((s) => !/^\d{1,15}$/.test(s) && s !== ''), (id, cursor) => {
        expect(parseStreamTarget(`${streamPath(id)}?cursor=${encodeURIComponent(cursor)}`)).toEqual({ status: 400 });
      }),
      runs,
    );
    for (const target of ['http://relay.example/in/x', '*', 'in/x', '']) expect(parseRoute('POST', target)).toMatchObject({ status: 400 });
  });
});

const safeSeq = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const validServerFrame: fc.Arbitrary<ServerFrame> = fc.oneof(
  fc.record({ type: fc.constant('hello' as const), channelId, deviceId: fc.stringMatching(/^dev_[A-Za-z0-9_-]{8,20}$/), cursor: fc.nat(), lastSeq: fc.nat(), heartbeatMs: fc.integer({ min: 1, max: 3_600_000 }) }),
  fc.record({
    type: fc.constant('event' as const),
    seq: safeSeq,
    deliveryId: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
    headers: fc.dictionary(fc.string({ maxLength: 20 }).filter((k) => k !== '__proto__'), fc.string({ maxLength: 40 }), { maxKeys: 5 }),
    body: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('base64')),
    receivedAt: fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(8.64e15 / 2) }).map((d) => d.toISOString()),
  }),
  fc.tuple(safeSeq, fc.nat({ max: 1000 })).map(([from, extra]) => ({ type: 'gap' as const, from, to: Math.min(Number.MAX_SAFE_INTEGER, from + extra) })),
  fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(8.64e15 / 2) }).map((d) => ({ type: 'heartbeat' as const, at: d.toISOString() })),
);

describe('stream frame parsing', () => {
  it('reads back every frame the relay writes', () => {
    fc.assert(
      fc.property(validServerFrame, (frame) => {
        expect(parseServerFrame(JSON.stringify(frame))).toEqual(frame);
      }),
      runs,
    );
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (seq) => {
        expect(parseClientFrame(ackFrame(seq))).toEqual({ type: 'ack', seq });
      }),
      runs,
    );
  });

  it('never throws on any text, and returns null unless it is a well-formed frame', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null')), (text) => {
        const server = parseServerFrame(text);
        if (server !== null) expect(parseServerFrame(JSON.stringify(server))).toEqual(server);
        const client = parseClientFrame(text);
        if (client !== null) expect(Number.isSafeInteger(client.seq) && client.seq >= 0).toBe(true);
      }),
      runs,
    );
  });

  it('refuses a frame with any one field of the wrong type or out of range', () => {
    const wrong = fc.oneof(fc.constant(null), fc.constant(-1), fc.constant(1.5), fc.constant(1e300), fc.constant('1'), fc.constant([]), fc.constant({}), fc.constant(true));
    fc.assert(
      fc.property(validServerFrame.filter((f) => f.type !== 'heartbeat'), wrong, fc.nat(), (frame, bad, pick) => {
        const numeric = Object.keys(frame).filter((k) => k !== 'type' && typeof (frame as unknown as Record<string, unknown>)[k] === 'number');
        const key = numeric[pick % numeric.length]!;
        // -1 is fine for none of these fields; 1.5 and 1e300 not integers/safe; the rest not numbers.
        const broken = { ...frame, [key]: bad };
        expect(parseServerFrame(JSON.stringify(broken)), JSON.stringify(broken)).toBeNull();
      }),
      runs,
    );
    fc.assert(
      fc.property(wrong, (bad) => {
        expect(parseClientFrame(JSON.stringify({ type: 'ack', seq: bad }))).toBeNull();
      }),
      runs,
    );
    expect(parseServerFrame(JSON.stringify({ type: 'gap', from: 5, to: 4 }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ type: 'event', seq: 1, deliveryId: null, headers: {}, body: 'not base64!', receivedAt: 'x' }))).toBeNull();
  });
});
