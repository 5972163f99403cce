import { randomBytes } from 'node:crypto';

/** An answer other than 2xx, carried up to the HTTP layer as the spec's error body. */
export class ApiError extends Error {
  override name = 'ApiError';
  status: number;
  code: string;
  details: Record<string, unknown> | undefined;
  headers: Record<string, string> | undefined;
  constructor(status: number, code: string, message: string, details?: Record<string, unknown>, headers?: Record<string, string>) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export function validationError(fields: FieldError[]): ApiError {
  const first = fields[0];
  const message = first ? `${first.field} ${first.message}` + (fields.length > 1 ? ` (and ${fields.length - 1} more)` : '') : 'invalid request';
  return new ApiError(422, 'VALIDATION_FAILED', message, { fields });
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', `${what} ${id} not found.`);
}

export function errorBody(code: string, message: string, details?: Record<string, unknown>): string {
  return JSON.stringify({ error: details === undefined ? { code, message } : { code, message, details } });
}

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A random id like `bkg_k3j9…` (lowercase alphanumerics). */
export function newId(prefix: string, length = 16): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % 36];
  return `${prefix}_${out}`;
}

/** Deterministic PRNG (mulberry32) for seeds. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  id(prefix: string, length = 16): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * 36)];
    return `${prefix}_${out}`;
  }
}

/** The sandbox clock: real time, or a fixed instant set through `/_sandbox/clock`. */
export class Clock {
  private fixed: number | null = null;
  now(): number {
    return this.fixed ?? Date.now();
  }
  iso(): string {
    return new Date(this.now()).toISOString();
  }
  set(ms: number | null): void {
    this.fixed = ms;
  }
  isFixed(): boolean {
    return this.fixed !== null;
  }
}

/** Parses an ISO-8601 instant with an explicit zone (`Z` or ±HH:MM); returns the canonical `…000Z` form. */
export function parseInstant(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) return null;
  return new Date(t).toISOString();
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
