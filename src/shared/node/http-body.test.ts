import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/wait-for.ts';
import { readBodyOrRefuse, sendJson } from './http-body.ts';

const limit = 1024;
let server: Server;
let port = 0;
/** What the handler got for each request: the body's length, or null (refused or aborted). */
const seen: Array<number | null> = [];
let started = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    started++;
    void readBodyOrRefuse(req, res, limit, () => sendJson(res, 413, { error: 'too large' }, { connection: 'close' })).then((body) => {
      seen.push(body === null ? null : body.length);
      if (body !== null) sendJson(res, 200, { bytes: body.length });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

function post(body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('readBodyOrRefuse and sendJson', () => {
  it('reads a body of exactly the limit, and answers JSON that is not cached', async () => {
    const answer = await post(Buffer.alloc(limit, 0x61));
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"bytes":1024}');
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['content-length']).toBe(String(answer.text.length));
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('refuses a declared length over the limit with the server’s 413, then closes', async () => {
    const before = seen.length;
    const answer = await post(Buffer.alloc(limit + 1, 0x61));
    expect(answer.status).toBe(413);
    expect(answer.text).toBe('{"error":"too large"}');
    expect(answer.headers['connection']).toBe('close');
    expect(seen.slice(before)).toEqual([null]);
  });

  it('refuses a streamed (chunked) body once it passes the limit', async () => {
    const answer = await post(Buffer.alloc(4 * limit, 0x61), { 'transfer-encoding': 'chunked' });
    expect(answer.status).toBe(413);
  });

  it('gives null, and answers nothing, when the client goes away mid-body', async () => {
    const before = seen.length;
    const startedBefore = started;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-length': String(limit) } });
    req.on('error', () => undefined); // the socket is destroyed on purpose
    req.write(Buffer.alloc(10, 0x61));
    await waitFor(() => started > startedBefore, 'the server to start reading the request');
    req.destroy();
    await waitFor(() => seen.length > before, 'the handler to give up on the aborted body');
    expect(seen.slice(before)).toEqual([null]);
  });
});
