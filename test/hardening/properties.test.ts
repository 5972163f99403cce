/**
 * Issue #15, property-based tests (fast-check, bounded runs) of two more parsers that read outside
 * input: the `.ics` writer's TEXT escaping and line folding (read back by ical.js, a real parser),
 * and the loopback bridge's call envelope (random bodies over real loopback HTTP). Deep links and
 * CSV cells have theirs beside them (src/main/shell/deep-link.test.ts, csv-input.test.ts).
 */
import fc from 'fast-check';
import ICAL from 'ical.js';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../src/main/bridge/bridge.ts';
import { cleanText, escapeText, foldLine } from '../../src/main/core/calendar/ics.ts';
import type { ContractHost } from '../../src/main/dispatch.ts';
import type { ContractHandlers } from '../../src/shared/contract/schemas.ts';

const runs = { numRuns: 200 };

describe('.ics TEXT escaping and folding', () => {
  it('any text survives escaping, folding and a real parser, minus only the control characters RFC 5545 forbids', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const line = foldLine(`SUMMARY:${escapeText(text)}`);
        const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', 'UID:u1', 'DTSTAMP:20260101T000000Z', line, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
        for (const physical of ics.split('\r\n')) expect(Buffer.byteLength(physical, 'utf8')).toBeLessThanOrEqual(75);
        const event = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
        expect(event.getFirstPropertyValue('summary') ?? '').toBe(cleanText(text).replace(/\r\n|\r/g, '\n'));
      }),
      runs,
    );
  });

  it('escaped text holds no raw line break, and every ; , \\ in it is escaped', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 120 }), (text) => {
        const escaped = escapeText(text);
        expect(escaped).not.toMatch(/[\r\n]/);
        // Remove the escape pairs: what is left must hold no special character.
        expect(escaped.replace(/\\[\\;,nN]/g, '')).not.toMatch(/[\\;,]/);
      }),
      runs,
    );
  });
});

describe('bridge call envelope', () => {
  let bridge: Bridge;

  beforeAll(async () => {
    const handlers = { 'sync.status': () => ({ connection: 'online' }), 'bookings.approve': (input: { id: string }) => ({ intentId: `int_${input.id}` }) } as unknown as ContractHandlers;
    const host: ContractHost = { handlers, on: () => () => {} };
    bridge = await startBridge({ host, maxBodyBytes: 4096 });
  });
  afterAll(async () => bridge?.close());

  const post = (body: Buffer): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: bridge.port, path: '/api/call', method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bridge.token}`, 'Content-Length': String(body.length) } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const envelope = fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.string({ unit: 'binary', maxLength: 300 }).map((s) => Buffer.from(s)),
    fc.json().map((s) => Buffer.from(s)),
    fc
      .record({ method: fc.oneof(fc.constantFrom('sync.status', 'bookings.approve', 'constructor', '__proto__', 'toString'), fc.string(), fc.anything()), input: fc.anything() }, { requiredKeys: [] })
      .map((o) => Buffer.from(JSON.stringify(o) ?? 'null')),
  );

  it('any body gets a JSON answer of the contract (200 or a 4xx with a code), never a 500, and the bridge keeps answering', async () => {
    await fc.assert(
      fc.asyncProperty(envelope, async (body) => {
        const answer = await post(body);
        expect([200, 400, 404, 413]).toContain(answer.status);
        const parsed = JSON.parse(answer.text) as { ok: boolean; error?: { code: string } };
        expect(parsed.ok).toBe(answer.status === 200);
        expect([null, 'BAD_INPUT', 'UNKNOWN_METHOD', 'NOT_FOUND']).toContain(parsed.ok ? null : (parsed.error?.code ?? 'no code'));
      }),
      runs,
    );
    expect((await post(Buffer.from('{"method":"bookings.approve","input":{"id":"bkg_1"}}'))).text).toBe('{"ok":true,"result":{"intentId":"int_bkg_1"}}');
  });
});
