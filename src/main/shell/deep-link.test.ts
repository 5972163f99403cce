import { describe, expect, it } from 'vitest';
import { deepLinkFromArgv, deepLinkRoute } from './deep-link.ts';

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

  it('finds the link among a second instance\'s arguments', () => {
    expect(deepLinkFromArgv(['/opt/Orkestr Console/orkestr-console', '--no-sandbox', 'orkestr-console://booking/bkg_1'])).toBe('orkestr-console://booking/bkg_1');
    expect(deepLinkFromArgv(['/usr/bin/orkestr-console'])).toBeNull();
  });
});
