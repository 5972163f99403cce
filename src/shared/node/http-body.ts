/**
 * Request bodies in, JSON answers out: the one implementation the loopback bridge, the relay and the
 * sandbox share (Node-only). Each server keeps its own error shape; what they share is how a body is
 * read under a size limit and how an oversized one is refused.
 *
 * No HTTP framework: the three servers have a handful of routes each, and the relay must keep bodies
 * as raw bytes (the desktop verifies the webhook's HMAC on them), which is what this reads.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The body is larger than the limit (answer 413 with `refuseTooLarge`); nothing of it is kept. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  readonly status = 413;
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super(`the request body is larger than ${limitBytes} bytes`);
    this.limitBytes = limitBytes;
  }
}

/** The client went away (or its stream failed) before the body was complete: nobody to answer. */
export class BodyAbortedError extends Error {
  override name = 'BodyAbortedError';
  constructor() {
    super('the request was aborted before its body was complete');
  }
}

/**
 * Reads the whole request body, at most `limitBytes`. A declared Content-Length over the limit is
 * refused before any byte is read; past the limit while streaming, what was kept is dropped and the
 * request paused, so an oversized body never sits in memory. Rejects with BodyTooLargeError or
 * BodyAbortedError.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.reject(new BodyTooLargeError(limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        chunks.length = 0;
        req.pause();
        finish(new BodyTooLargeError(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => finish(null));
    req.on('close', () => {
      if (!req.complete) finish(new BodyAbortedError());
    });
    req.on('error', () => finish(new BodyAbortedError()));
  });
}

/** Writes a JSON answer that is already text (not cached), unless an answer went out already. */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** Writes `body` as a JSON answer (not cached), unless an answer went out already. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/**
 * `readBody` for a request handler: the body, or null when there is nothing left to handle. Too large:
 * `answerTooLarge` writes the 413 in the server's own error shape (with `Connection: close`), and once
 * that answer is out a connection whose body was not read to the end is dropped, so the rest is never read (the short delay lets a client that is still sending read the
 * 413 before its connection resets). Aborted: nobody is there to answer.
 */
export async function readBodyOrRefuse(
  req: IncomingMessage,
  res: ServerResponse,
  limitBytes: number,
  answerTooLarge: () => void,
): Promise<Buffer | null> {
  try {
    return await readBody(req, limitBytes);
  } catch (error) {
    if (error instanceof BodyAbortedError) return null;
    if (!(error instanceof BodyTooLargeError)) throw error;
    res.on('finish', () => {
      if (!req.complete) setTimeout(() => req.socket.destroy(), 50).unref();
    });
    answerTooLarge();
    return null;
  }
}
