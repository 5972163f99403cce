/**
 * The Electron shell: one window onto the same core and renderer that the loopback bridge serves.
 * Kept thin on purpose (the Electron binary cannot run on every machine we build on); all behaviour
 * lives in the core behind the contract.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, Notification, safeStorage, shell, type IpcMainInvokeEvent } from 'electron';
import { ipcChannels } from '../shared/channels.ts';
import type { ContractEvents, EventName } from '../shared/contract.ts';
import { startConsole, type RunningConsole } from './app.ts';
import { dispatchCall } from './dispatch.ts';

const rendererIndex = join(import.meta.dirname, '../renderer/index.html');
const rendererUrl = process.env['ELECTRON_RENDERER_URL'] ?? pathToFileURL(rendererIndex).href;
let running: RunningConsole | null = null;
let window: BrowserWindow | null = null;

/** Only our own renderer may call the core. */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return event.sender === window?.webContents && (url.startsWith(rendererUrl.split('#')[0] ?? rendererUrl) || url.startsWith(pathToFileURL(rendererIndex).href));
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Orkestr Console',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  // No navigation away from the console and no new Electron windows; links open in the system browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (url !== win.webContents.getURL()) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
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
