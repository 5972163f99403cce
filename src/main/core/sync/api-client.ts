/**
 * Fetch-based Orkestr API client: Bearer key, Idempotency-Key on writes, the spec's error shape with
 * fallbacks (a body in any other shape → the status code alone decides), Retry-After, and the shared
 * rate budget. It never retries by itself: the caller (pull / push) owns retry policy.
 */
import { RateBudget, type Priority } from './rate-budget.ts';

/** How the caller should treat a failure. */
export type FailureKind = 'network' | 'transient' | 'permanent' | 'auth' | 'forbidden' | 'notFound';

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | null;
  readonly retryAfterMs: number | null;
  readonly kind: FailureKind;
  constructor(opts: { status: number; code: string; message: string; details?: Record<string, unknown> | null; retryAfterMs?: number | null; kind: FailureKind }) {
    super(opts.message);
    this.status = opts.status;
    this.code = opts.code;
    this.details = opts.details ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.kind = opts.kind;
  }
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers: Headers;
  replayed: boolean;
}

export interface RequestOptions {
  body?: string | null;
  idempotencyKey?: string;
  priority?: Priority;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** A successful answer's body left unread: `body` is its stream of bytes (a ReadableStream, or null when empty). */
  raw?: boolean;
}

export function kindForStatus(status: number): FailureKind {
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'notFound';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'transient';
  return 'permanent';
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/** Normalises a base URL so that `${base}/api/...` addresses the v1 API. */
export function apiBase(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return /\/v1$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}

export class ApiClient {
  readonly base: string;
  readonly #key: string;
  readonly budget: RateBudget;

  constructor(opts: { url: string; key: string; budget?: RateBudget }) {
    this.base = apiBase(opts.url);
    this.#key = opts.key;
    this.budget = opts.budget ?? new RateBudget();
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    await this.budget.acquire(opts.priority ?? 'background', opts.signal);
    const headers: Record<string, string> = { authorization: `Bearer ${this.#key}`, accept: 'application/json' };
    if (opts.body != null) headers['content-type'] = 'application/json';
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.base}${path}`, { method, headers, body: opts.body ?? undefined, signal });
      if (opts.raw && res.ok) {
        this.budget.observe(res.headers);
        return { status: res.status, body: res.body, headers: res.headers, replayed: false };
      }
      text = await res.text();
    } catch (error) {
      if (opts.signal?.aborted) throw error;
      throw new ApiError({ status: 0, code: 'NETWORK', message: `Network error: ${(error as Error)?.message ?? String(error)}`, kind: 'network' });
    }
    this.budget.observe(res.headers);
    let body: unknown = null;
    if (text) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
    }
    if (res.ok) return { status: res.status, body, headers: res.headers, replayed: res.headers.get('idempotent-replayed') === 'true' };
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    if (res.status === 429) this.budget.block(retryAfterMs ?? 1000);
    else if (res.status === 503 && retryAfterMs !== null) this.budget.block(retryAfterMs);
    const err = (body && typeof body === 'object' ? (body as { error?: unknown }).error : null) as
      | { code?: unknown; message?: unknown; details?: unknown }
      | null
      | undefined;
    const shaped = !!err && typeof err === 'object' && typeof err.code === 'string';
    throw new ApiError({
      status: res.status,
      code: shaped ? (err.code as string) : `HTTP_${res.status}`,
      message: shaped && typeof err.message === 'string' ? err.message : `${method} ${path} answered ${res.status}${typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : ''}`,
      details: shaped && err.details && typeof err.details === 'object' ? (err.details as Record<string, unknown>) : null,
      retryAfterMs,
      kind: kindForStatus(res.status),
    });
  }

  get(path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('GET', path, opts);
  }
}

/** A list answer in the spec's shape, or a fallback (bare array / no cursor). */
export interface ListPage<T> {
  data: T[];
  nextCursor: string | null;
  hasMore: boolean;
  /** The server gave a change cursor (false: bare array or no `nextCursor`). */
  cursorSupported: boolean;
}

export function parseListPage<T>(body: unknown): ListPage<T> {
  if (Array.isArray(body)) return { data: body as T[], nextCursor: null, hasMore: false, cursorSupported: false };
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    const data = Array.isArray(o['data']) ? (o['data'] as T[]) : Array.isArray(o['items']) ? (o['items'] as T[]) : [];
    const supported = 'nextCursor' in o;
    return {
      data,
      nextCursor: typeof o['nextCursor'] === 'string' ? o['nextCursor'] : null,
      hasMore: supported && o['hasMore'] === true,
      cursorSupported: supported,
    };
  }
  return { data: [], nextCursor: null, hasMore: false, cursorSupported: false };
}
