/**
 * `orkestr-console://` links, e.g. from an OS notification, an email or another app:
 * `orkestr-console://booking/<id>` opens that booking; `orkestr-console://queue` (and the other
 * screens) open a screen. Anything else is ignored, never passed on.
 */
export const deepLinkScheme = 'orkestr-console';

const screens = new Set(['queue', 'attention', 'today', 'bookings', 'catalogue', 'disputes', 'activity', 'insights', 'settings']);

/** The renderer hash route for a deep link, or null when the link is not one of ours. */
export function deepLinkRoute(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== `${deepLinkScheme}:`) return null;
  // `orkestr-console://booking/bkg_1` parses with host "booking" and path "/bkg_1".
  let parts: string[];
  try {
    parts = [url.host, ...url.pathname.split('/')].filter(Boolean).map((p) => decodeURIComponent(p));
  } catch {
    // A malformed %-escape (`%E0%A4%A`): any web page can offer such a link, so it is ignored, not thrown.
    return null;
  }
  const [head, id, ...rest] = parts;
  if (head === 'booking' && id && rest.length === 0 && /^[A-Za-z0-9_-]{1,100}$/.test(id)) return `#/booking/${id}`;
  if (head && !id && screens.has(head)) return `#/${head}`;
  return null;
}

/** The deep link among a second instance's command-line arguments (Windows and Linux pass it there). */
export function deepLinkFromArgv(argv: readonly string[]): string | null {
  return argv.find((arg) => arg.startsWith(`${deepLinkScheme}://`)) ?? null;
}
