/**
 * The Electron shell: one window onto the same core and renderer that the loopback bridge serves.
 * Kept thin on purpose (the Electron binary cannot run on every machine we build on); all behaviour
 * lives in the core behind the contract.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, Notification, safeStorage, session, shell, type IpcMainInvokeEvent } from 'electron';
import { ipcChannels } from '../shared/channels.ts';
import type { ContractEvents, EventName } from '../shared/contract.ts';
import { startConsole, type RunningConsole } from './app.ts';
import { dispatchCall } from './dispatch.ts';
import { externalUrlAllowed, navigationAllowed, permissionAllowed, senderAllowed, windowOptions } from './shell/window-policy.ts';

const rendererIndex = join(import.meta.dirname, '../renderer/index.html');
const rendererUrl = process.env['ELECTRON_RENDERER_URL'] ?? pathToFileURL(rendererIndex).href;
let running: RunningConsole | null = null;
let window: BrowserWindow | null = null;

/** Only the main frame of our own renderer may call the core. */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return event.sender === window?.webContents && senderAllowed(frame?.url, rendererUrl, frame !== null && frame === event.sender.mainFrame);
}

const windowStateFile = (): string => join(app.getPath('userData'), 'window-state.json');

function rememberedBounds(): { x?: number; y?: number; width: number; height: number } | undefined {
  try {
    const state = JSON.parse(readFileSync(windowStateFile(), 'utf8')) as { x?: number; y?: number; width: number; height: number };
    return Number.isFinite(state.width) && Number.isFinite(state.height) ? state : undefined;
  } catch {
    return undefined;
  }
}

function createWindow(): BrowserWindow {
  // The options (contextIsolation, sandbox, no Node, Auxclick off…) come from shell/window-policy.ts,
  // where they are unit-tested; the scanner cannot follow the call, hence the annotation.
  const win = new BrowserWindow(windowOptions(join(import.meta.dirname, '../preload/index.cjs'), rememberedBounds())); // eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK
  win.once('ready-to-show', () => win.show());
  win.on('close', () => {
    try {
      writeFileSync(windowStateFile(), JSON.stringify(win.getNormalBounds()));
    } catch {
      // Losing the window position is not worth failing the quit for.
    }
  });
  // No navigation away from the console and no new Electron windows; links open in the system browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (!navigationAllowed(win.webContents.getURL(), url)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (externalUrlAllowed(url)) void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK (https/mailto only, checked above)
    return { action: 'deny' };
  });
  void win.loadURL(rendererUrl);
  return win;
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((webContents, permission, callback) => callback(permissionAllowed(permission, webContents.getURL(), rendererUrl)));
  session.defaultSession.setPermissionCheckHandler((webContents, permission) => permissionAllowed(permission, webContents?.getURL() ?? '', rendererUrl));
  const secretStore = safeStorage.isEncryptionAvailable()
    ? { encrypt: (text: string) => safeStorage.encryptString(text), decrypt: (data: Buffer) => safeStorage.decryptString(data) }
    : undefined;
  const apiUrl = process.env['ORKESTR_API_URL'];
  const apiKey = process.env['ORKESTR_API_KEY'];
  running = await startConsole({
    dbFile: join(app.getPath('userData'), 'replica.db'),
    ...(apiUrl && apiKey ? { api: { url: apiUrl, key: apiKey } } : {}),
    transport: 'electron',
    ...(secretStore ? { secretStore } : {}),
  });
  const core = running.core;

  ipcMain.handle(ipcChannels.call, (event, method: unknown, input: unknown) => {
    if (!trustedSender(event)) return { ok: false, error: { code: 'BAD_INPUT', message: 'Untrusted sender' } };
    return dispatchCall(core, method, input);
  });
  core.on(<E extends EventName>(event: E, payload: ContractEvents[E]) => {
    window?.webContents.send(ipcChannels.event, event, payload);
    if (event === 'queue.new') {
      const { count } = payload as ContractEvents['queue.new'];
      if (Notification.isSupported()) new Notification({ title: 'Orkestr Console', body: `${count} new booking request${count === 1 ? '' : 's'}` }).show();
    }
  });

  window = createWindow();
  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('will-quit', () => {
  void running?.close();
});

void main();
