/**
 * The relay's request targets, read without ever throwing: a path the relay cannot decode (a bad
 * %-escape, an absolute-form target) is the sender's mistake, answered 400, and an unknown one 404 —
 * never a 500, and never a 503 that would make a sender retry forever. Pure functions, fuzzed by
 * test/relay/parsers.property.test.ts.
 */
import { streamPathPattern } from './protocol/frames.ts';

export type Route =
  | { kind: 'ingress'; channelId: string }
  | { kind: 'feed-read'; feedKey: string }
  | { kind: 'feed-write'; channelId: string; feedKey: string }
  | { kind: 'stream-http' }
  | { kind: 'admin'; parts: string[] }
  | { kind: 'healthz' }
  | { kind: 'metrics' }
  | Refusal;

export interface Refusal {
  kind: 'refuse';
  status: 400 | 404 | 405;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

const badPath: Refusal = { kind: 'refuse', status: 400, code: 'BAD_PATH', message: 'the path has a malformed %-escape or is not an origin-form path' };
const notFound: Refusal = { kind: 'refuse', status: 404, code: 'NOT_FOUND', message: 'no such route' };

/** Splits a request target into its path and query; null when it is not origin-form (`/…`). */
export function splitTarget(rawUrl: string | undefined): { pathname: string; query: URLSearchParams } | null {
  const target = rawUrl ?? '/';
  if (!target.startsWith('/')) return null;
  const q = target.indexOf('?');
  const pathname = (q === -1 ? target : target.slice(0, q)).split('#')[0]!;
  // URLSearchParams never throws: a malformed escape in a value stays as written.
  const query = new URLSearchParams(q === -1 ? '' : target.slice(q + 1).split('#')[0]);
  return { pathname, query };
}

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The path's non-empty segments, each %-decoded; null when one of them cannot be decoded. */
export function pathSegments(pathname: string): string[] | null {
  const parts: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw === '') continue;
    const part = decode(raw);
    if (part === null) return null;
    parts.push(part);
  }
  return parts;
}

/** Which handler a request goes to, or the answer that refuses it. */
export function parseRoute(method: string, rawUrl: string | undefined): Route {
  const target = splitTarget(rawUrl);
  if (!target) return badPath;
  const parts = pathSegments(target.pathname);
  if (!parts) return badPath;
  if (parts[0] === 'in' && parts.length === 2) {
    if (method !== 'POST') return { kind: 'refuse', status: 405, code: 'METHOD_NOT_ALLOWED', message: 'POST only', headers: { allow: 'POST' } };
    return { kind: 'ingress', channelId: parts[1]! };
  }
  if (parts[0] === 'feeds' && parts.length === 2 && (method === 'GET' || method === 'HEAD')) {
    const m = /^(.+)\.ics$/.exec(parts[1]!);
    if (!m) return { kind: 'refuse', status: 404, code: 'UNKNOWN_FEED', message: 'no such feed' };
    return { kind: 'feed-read', feedKey: m[1]! };
  }
  if (target.pathname === '/healthz' && method === 'GET') return { kind: 'healthz' };
  if (target.pathname === '/metrics' && method === 'GET') return { kind: 'metrics' };
  if (parts[0] === 'v1' && parts[1] === 'channels') {
    if (parts.length === 5 && parts[3] === 'feeds' && (method === 'PUT' || method === 'DELETE')) return { kind: 'feed-write', channelId: parts[2]!, feedKey: parts[4]! };
    if (parts.length === 4 && parts[3] === 'stream') return { kind: 'stream-http' };
    return { kind: 'admin', parts };
  }
  return notFound;
}

export type StreamTarget = { channelId: string; token: string | null; cursor: number | null } | { status: 400 | 404 };

/** The device stream's upgrade target: channel id, `?token=`, `?cursor=` (null = the stored cursor). */
export function parseStreamTarget(rawUrl: string | undefined): StreamTarget {
  const target = splitTarget(rawUrl);
  if (!target) return { status: 400 };
  const m = streamPathPattern.exec(target.pathname);
  if (!m) return { status: 404 };
  const channelId = decode(m[1]!);
  if (channelId === null) return { status: 400 };
  const rawCursor = target.query.get('cursor');
  let cursor: number | null = null;
  if (rawCursor !== null && rawCursor !== '') {
    if (!/^\d{1,15}$/.test(rawCursor)) return { status: 400 };
    cursor = Number(rawCursor);
  }
  return { channelId, token: target.query.get('token'), cursor };
}
