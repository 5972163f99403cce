import type { FieldError } from './util.ts';
import { isPlainObject, parseInstant, validationError } from './util.ts';

/** Collects per-field problems; `done()` throws one 422 with all of them. */
export class Checker {
  readonly errors: FieldError[] = [];
  add(field: string, message: string): void {
    this.errors.push({ field, message });
  }
  done(): void {
    if (this.errors.length > 0) throw validationError(this.errors);
  }
}

export function requireObject(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw validationError([{ field: 'body', message: 'must be a JSON object' }]);
  return body;
}

export function checkKeys(c: Checker, body: Record<string, unknown>, allowed: readonly string[], readOnly: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (readOnly.includes(key)) c.add(key, 'is read-only');
    else if (!allowed.includes(key)) c.add(key, 'is not a known field');
  }
}

export function str(c: Checker, body: Record<string, unknown>, field: string, opts: { min?: number; max?: number; pattern?: RegExp; patternText?: string; required?: boolean }): string | undefined {
  const v = body[field];
  if (v === undefined) {
    if (opts.required) c.add(field, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') {
    c.add(field, 'must be a string');
    return undefined;
  }
  const len = [...v].length;
  if (opts.min !== undefined && len < opts.min) {
    c.add(field, opts.min === 1 ? 'must not be empty' : `must be at least ${opts.min} characters`);
    return undefined;
  }
  if (opts.max !== undefined && len > opts.max) {
    c.add(field, `must be at most ${opts.max} characters`);
    return undefined;
  }
  if (opts.pattern && !opts.pattern.test(v)) {
    c.add(field, opts.patternText ?? `must match ${opts.pattern.source}`);
    return undefined;
  }
  return v;
}

export function int(c: Checker, body: Record<string, unknown>, field: string, opts: { min: number; max?: number; required?: boolean; nullable?: boolean }): number | null | undefined {
  const v = body[field];
  if (v === undefined) {
    if (opts.required) c.add(field, 'is required');
    return undefined;
  }
  if (v === null && opts.nullable) return null;
  const range = opts.max === undefined ? `≥ ${opts.min}` : `${opts.min}…${opts.max}`;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < opts.min || (opts.max !== undefined && v > opts.max)) {
    c.add(field, `must be an integer ${range}${opts.nullable ? ' or null' : ''}`);
    return undefined;
  }
  return v;
}

export function oneOf<T extends string>(c: Checker, body: Record<string, unknown>, field: string, values: readonly T[], required = false): T | undefined {
  const v = body[field];
  if (v === undefined) {
    if (required) c.add(field, 'is required');
    return undefined;
  }
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    c.add(field, `must be one of ${values.join(', ')}`);
    return undefined;
  }
  return v as T;
}

export function instant(c: Checker, body: Record<string, unknown>, field: string, opts: { nullable?: boolean; required?: boolean }): string | null | undefined {
  const v = body[field];
  if (v === undefined) {
    if (opts.required) c.add(field, 'is required');
    return undefined;
  }
  if (v === null && opts.nullable) return null;
  const parsed = parseInstant(v);
  if (parsed === null) {
    c.add(field, 'must be an ISO-8601 timestamp with a zone, e.g. 2026-05-12T15:00:00.000Z');
    return undefined;
  }
  return parsed;
}

export function bool(c: Checker, body: Record<string, unknown>, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') {
    c.add(field, 'must be true or false');
    return undefined;
  }
  return v;
}
