/**
 * The renderer's Content-Security-Policy, written once. It reaches the page three ways, all from here:
 * the <meta> tag the build injects into out/renderer/index.html (electron.vite.config.ts; the only
 * way a file:// page in the Electron window gets one), the Electron session's response header
 * (src/main/index.ts) and the loopback bridge's header on the page it serves (src/main/bridge).
 * Where a header and the meta tag both apply, the browser enforces both.
 *
 * Browser-safe and dependency-free, so the shell, the bridge and the build config can all import it.
 */
export interface CspOptions {
  /**
   * Origins the page may connect to besides its own: the bridge names its WebSocket origins. ('self'
   * covers a same-origin ws:// in current browsers; older ones need the origin spelled out.)
   */
  connectSrc?: readonly string[];
  /**
   * For a <meta> tag: leaves out frame-ancestors, which browsers ignore there (with a console warning).
   * The headers carry it.
   */
  meta?: boolean;
}

export function rendererCsp(options: CspOptions = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React sets style attributes; no inline <style> or script is ever needed.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    ["connect-src 'self'", ...(options.connectSrc ?? [])].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    ...(options.meta ? [] : ["frame-ancestors 'none'"]),
    "form-action 'none'",
  ].join('; ');
}
