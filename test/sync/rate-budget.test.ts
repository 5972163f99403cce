/**
 * Unit: the one request budget pull and push share (a token bucket mirroring the server's, user
 * actions first, and a Retry-After that stops everyone). Its clock is passed in where it can be, so
 * nothing here depends on how fast the machine is. (The back-off formula has its own test:
 * src/shared/backoff.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { RateBudget } from '../../src/main/core/sync/rate-budget.ts';

const headers = (h: Record<string, string>): Headers => new Headers(h);

describe('RateBudget', () => {
  it('lets a user take every token, and a background request all but a reserve', () => {
    const now = Date.now();
    const user = new RateBudget(100);
    let taken = 0;
    while (user.tryTake('user', now) === 0) taken++;
    expect(taken).toBe(100);
    const background = new RateBudget(100);
    taken = 0;
    while (background.tryTake('background', now) === 0) taken++;
    // The reserve is 10 % of the capacity (at most 20), kept for the user's clicks.
    expect(taken).toBe(90);
    expect(background.tryTake('user', now)).toBe(0);
  });

  it('answers how long to wait for the next token, and refills with time', () => {
    const now = Date.now();
    const b = new RateBudget(60); // one token a second
    for (let i = 0; i < 60; i++) expect(b.tryTake('user', now)).toBe(0);
    const wait = b.tryTake('user', now);
    expect(wait).toBeGreaterThanOrEqual(990);
    expect(wait).toBeLessThanOrEqual(1000);
    expect(b.tryTake('user', now + 1000)).toBe(0);
  });

  it('block(ms) stops every request, the user\'s too, until it has passed', () => {
    const b = new RateBudget(1000);
    const before = Date.now();
    b.block(5000);
    expect(b.blockedUntil).toBeGreaterThanOrEqual(before + 5000);
    const now = Date.now();
    expect(b.tryTake('user', now)).toBeGreaterThan(4000);
    expect(b.tryTake('background', now)).toBeGreaterThan(4000);
    // A shorter block later never shortens a longer one.
    b.block(10);
    expect(b.tryTake('user', now)).toBeGreaterThan(4000);
    // The bucket was emptied too (the server said it is empty): after the block, tokens refill first.
    expect(b.tryTake('user', b.blockedUntil + 1)).toBe(0);
  });

  it('holds background requests back while a user request waits', async () => {
    const b = new RateBudget(1000);
    b.block(150);
    const user = b.acquire('user');
    const afterBlock = b.blockedUntil + 1;
    expect(b.tryTake('background', afterBlock)).toBeGreaterThan(0);
    await user;
    expect(b.tryTake('background', Date.now() + 60_000)).toBe(0);
  });

  it('acquire waits out a block, and rejects when its signal aborts', async () => {
    const b = new RateBudget(1000);
    b.block(300);
    const started = Date.now();
    await b.acquire('user');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    b.block(60_000);
    const abort = new AbortController();
    const waiting = b.acquire('background', abort.signal);
    abort.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
  });

  it('learns the server\'s limit and remaining tokens from its headers', () => {
    const b = new RateBudget(1000);
    const now = Date.now();
    b.observe(headers({ 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '2' }));
    expect(b.tryTake('user', now)).toBe(0);
    expect(b.tryTake('user', now)).toBe(0);
    expect(b.tryTake('user', now)).toBeGreaterThan(0);
    // Headers that say nothing change nothing.
    const c = new RateBudget(3);
    c.observe(headers({}));
    let taken = 0;
    while (c.tryTake('user', now) === 0) taken++;
    expect(taken).toBe(3);
  });
});
