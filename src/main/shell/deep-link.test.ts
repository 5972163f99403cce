import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deepLinkFromArgv, deepLinkRoute, deepLinkScheme } from './deep-link.ts';

describe('deep links', () => {
  it('opens a booking', () => {
    expect(deepLinkRoute('orkestr-console://booking/bkg_j9api8rjtpiev78y')).toBe('#/booking/bkg_j9api8rjtpiev78y');
    expect(deepLinkRoute('orkestr-console://booking/bkg_1/')).toBe('#/booking/bkg_1');
  });

  it('opens a screen', () => {
    expect(deepLinkRoute('orkestr-console://queue')).toBe('#/queue');
    expect(deepLinkRoute('orkestr-console://attention')).toBe('#/attention');
  });

  it('ignores what is not ours or not well formed', () => {
    expect(deepLinkRoute('https://atlas.orkestr.in/booking/bkg_1')).toBeNull();
    expect(deepLinkRoute('orkestr-console://booking/')).toBeNull();
    expect(deepLinkRoute('orkestr-console://booking/a%2F..%2Fb')).toBeNull();
    expect(deepLinkRoute('orkestr-console://booking/<script>')).toBeNull();
    expect(deepLinkRoute('orkestr-console://settings/extra')).toBeNull();
    expect(deepLinkRoute('orkestr-console://eval')).toBeNull();
    expect(deepLinkRoute('not a url')).toBeNull();
  });

  it('ignores a malformed %-escape instead of throwing (any web page can offer such a link)', () => {
    expect(deepLinkRoute('orkestr-console://booking/%E0%A4%A')).toBeNull();
    expect(deepLinkRoute('orkestr-console://%E0%A4%A')).toBeNull();
    expect(deepLinkRoute('orkestr-console://booking/%')).toBeNull();
  });

  it('finds the link among a second instance\'s arguments', () => {
    expect(deepLinkFromArgv(['/opt/Orkestr Console/orkestr-console', '--no-sandbox', 'orkestr-console://booking/bkg_1'])).toBe('orkestr-console://booking/bkg_1');
    expect(deepLinkFromArgv(['/usr/bin/orkestr-console'])).toBeNull();
  });
});

describe('deep links, property-based (fast-check)', () => {
  const runs = { numRuns: 200 };

  it('never throws, and answers null or one of the routes it knows, for any string after the scheme', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (tail) => {
        const route = deepLinkRoute(`${deepLinkScheme}://${tail}`);
        expect(route === null || /^#\/(booking\/[A-Za-z0-9_-]{1,100}|[a-z]+)$/.test(route)).toBe(true);
      }),
      runs,
    );
  });

  it('never throws on %-escapes, well formed or not', () => {
    const escape = fc.oneof(fc.constantFrom('%', '%E0', '%A4%A', '%2F', '%00', '%FF%FE', '%C0%AF'), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(escape, { maxLength: 8 }), (pieces) => {
        const route = deepLinkRoute(`${deepLinkScheme}://booking/${pieces.join('')}`);
        expect(route === null || /^#\/booking\/[A-Za-z0-9_-]{1,100}$/.test(route)).toBe(true);
      }),
      runs,
    );
  });

  it('opens any well-formed booking id, percent-encoded or not', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,100}$/), (id) => {
        expect(deepLinkRoute(`${deepLinkScheme}://booking/${id}`)).toBe(`#/booking/${id}`);
        expect(deepLinkRoute(`${deepLinkScheme}://booking/${encodeURIComponent(id)}`)).toBe(`#/booking/${id}`);
      }),
      runs,
    );
  });
});
