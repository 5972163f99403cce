import { describe, expect, it } from 'vitest';
import { readToken, TOKEN_KEY } from './transport.ts';

function fakes(hash: string, stored: string | null = null) {
  const store = new Map<string, string>();
  if (stored) store.set(TOKEN_KEY, stored);
  const replaced: string[] = [];
  return {
    location: { hash, pathname: '/', search: '' },
    storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
    history: { replaceState: (_d: unknown, _u: string, url?: string | null) => void replaced.push(String(url)) },
    store,
    replaced,
  };
}

describe('readToken', () => {
  it('takes the token from the fragment, keeps it and strips it from the URL', () => {
    const f = fakes('#token=abc123');
    expect(readToken(f.location, f.storage, f.history)).toBe('abc123');
    expect(f.store.get(TOKEN_KEY)).toBe('abc123');
    expect(f.replaced).toEqual(['/#/queue']);
  });
  it('falls back to the stored token on reload', () => {
    const f = fakes('#/bookings', 'kept');
    expect(readToken(f.location, f.storage, f.history)).toBe('kept');
    expect(f.replaced).toEqual([]);
  });
  it('returns null with neither', () => {
    const f = fakes('');
    expect(readToken(f.location, f.storage, f.history)).toBeNull();
  });
});
