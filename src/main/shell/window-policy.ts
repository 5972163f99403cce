/**
 * The Electron window's security policy as plain data and pure functions, so it is unit-tested on
 * machines where Electron itself cannot start. src/main/index.ts applies exactly these.
 */
import { rendererCsp } from '../../shared/csp.ts';

export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  /** Middle-click would open links in new windows, around our window-open handler. */
  disableBlinkFeatures: 'Auxclick';
  spellcheck: boolean;
}

export function windowOptions(preloadPath: string, bounds?: { x?: number; y?: number; width: number; height: number }) {
  const webPreferences: SecureWebPreferences = {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    disableBlinkFeatures: 'Auxclick',
    spellcheck: true,
  };
  return {
    width: bounds?.width ?? 1280,
    height: bounds?.height ?? 820,
    ...(bounds?.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Orkestr Console',
    backgroundColor: '#0f172a',
    webPreferences,
  };
}

/**
 * A response's headers with the renderer's Content-Security-Policy (src/shared/csp.ts) in place of any
 * the response carried: what the Electron session sets on every response it loads.
 */
export function withRendererCsp(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const kept = Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy');
  return { ...Object.fromEntries(kept), 'Content-Security-Policy': [rendererCsp()] };
}

/** Links the console may hand to the system browser: https only, no credentials in the URL. */
export function externalUrlAllowed(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (url.protocol === 'https:' || url.protocol === 'mailto:') && url.username === '' && url.password === '';
}

/** In-window navigation is allowed only within the renderer itself (same document, other hash). */
export function navigationAllowed(current: string, target: string): boolean {
  try {
    const a = new URL(current);
    const b = new URL(target);
    return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

/**
 * Web permissions the renderer may use: only notifications (new booking requests). Camera,
 * microphone, geolocation, clipboard reading, MIDI, USB and the rest are refused.
 */
export function permissionAllowed(permission: string, requestingUrl: string, rendererUrl: string): boolean {
  return permission === 'notifications' && navigationAllowed(rendererUrl, requestingUrl);
}

/** Whether an IPC message comes from our own top-level renderer document. */
export function senderAllowed(senderUrl: string | undefined, rendererUrl: string, isMainFrame: boolean): boolean {
  if (!senderUrl || !isMainFrame) return false;
  return navigationAllowed(rendererUrl, senderUrl);
}
