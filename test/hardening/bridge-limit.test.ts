/**
 * Issue #15, the loopback bridge's body limit: sized to the contract's largest input (a CSV upload
 * at `importUploadMaxBase64`), so every valid call fits; a body over it gets a 413 the client reads
 * before the connection closes, whether its length is declared or it is streamed chunked. Real
 * loopback HTTP with the default limit (no test-sized one), bodies streamed in 1 MiB chunks.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../src/main/bridge/bridge.ts';
import type { ContractHost } from '../../src/main/dispatch.ts';
import type { ContractHandlers } from '../../src/shared/contract/schemas.ts';
import { importUploadMaxBase64 } from '../../src/shared/contract/types.ts';

let bridge: Bridge;
let received = 0;

beforeAll(async () => {
  const handlers = {
    'import.check': (input: { contentBase64: string }) => {
      received = input.contentBase64.length;
      return { token: 'chk_1', fileName: 'big.csv', view: null };
    },
  } as unknown as ContractHandlers;
  const host: ContractHost = { handlers, on: () => () => {} };
  bridge = await startBridge({ host });
});

afterAll(async () => bridge?.close());

interface Sent {
  status: number | null;
  body: string;
  /** What the client saw go wrong while still sending (the server closing after its 413). */
  writeError: string | null;
}

/** POSTs `prefix + filler × n + suffix`, streamed in 1 MiB pieces, with or without Content-Length. */
function send(parts: { prefix: string; fillerBytes: number; suffix: string }, declareLength: boolean): Promise<Sent> {
  const total = Buffer.byteLength(parts.prefix) + parts.fillerBytes + Buffer.byteLength(parts.suffix);
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Authorization: `Bearer ${bridge.token}` };
  if (declareLength) headers['Content-Length'] = String(total);
  return new Promise((resolve) => {
    const sent: Sent = { status: null, body: '', writeError: null };
    const req = request({ host: '127.0.0.1', port: bridge.port, path: '/api/call', method: 'POST', headers }, (res) => {
      sent.status = res.statusCode ?? 0;
      res.on('data', (c: Buffer) => (sent.body += c.toString('utf8')));
      res.on('end', () => resolve(sent));
      res.on('error', (e) => {
        sent.writeError ??= e.message;
        resolve(sent);
      });
    });
    req.on('error', (e) => {
      sent.writeError ??= e.message;
      if (sent.status === null) resolve(sent);
    });
    const chunk = Buffer.alloc(1024 * 1024, 'A');
    let left = parts.fillerBytes;
    const pump = (): void => {
      while (left > 0 && !req.destroyed) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!req.write(piece)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!req.destroyed) req.end(parts.suffix);
    };
    req.write(parts.prefix);
    pump();
  });
}

const upload = (base64Chars: number) => ({ prefix: '{"method":"import.check","input":{"fileName":"big.csv","contentBase64":"', fillerBytes: base64Chars, suffix: '"}}' });

describe('bridge body limit', { timeout: 240_000 }, () => {
  it('takes the largest upload the contract allows (the limit is sized to it)', async () => {
    const answer = await send(upload(importUploadMaxBase64), true);
    expect(answer.writeError).toBeNull();
    expect(answer.status, answer.body.slice(0, 200)).toBe(200);
    expect(received).toBe(importUploadMaxBase64);
  });

  for (const declared of [true, false]) {
    it(`a body over the limit (${declared ? 'Content-Length declared' : 'chunked'}) gets a 413 the client reads before the close`, async () => {
      const answer = await send(upload(importUploadMaxBase64 + 8 * 1024 * 1024), declared);
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
      expect(JSON.parse(answer.body).error.message).toMatch(/^Body over \d+ bytes/);
    });
  }
});
