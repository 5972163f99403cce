import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { eventNameList, ipcChannels } from '../shared/contract/channels.ts';
import type { ConsoleApi, ContractEvents, EventName } from '../shared/contract/types.ts';

/**
 * Exposes exactly the contract (`call` and `on`) to the renderer as `window.orkestr`; nothing else
 * of Electron or Node crosses. The main process validates every call against the contract schemas.
 */
type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(ipcChannels.event, (_event: IpcRendererEvent, name: string, payload: unknown) => {
  for (const listener of listeners.get(name) ?? []) listener(payload);
});

const api: ConsoleApi = {
  async call(method, input) {
    const outcome = (await ipcRenderer.invoke(ipcChannels.call, method, input)) as { ok: boolean; result?: unknown; error?: { code: string; message: string } };
    // contextBridge keeps only an Error's message, so the error's shape travels in it as JSON; the
    // renderer's transport turns it back into a ContractError with its code and fields.
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.error ?? { code: 'INTERNAL', message: 'Call failed' }));
    return outcome.result as never;
  },
  on<E extends EventName>(event: E, listener: (payload: ContractEvents[E]) => void) {
    if (!(eventNameList as readonly string[]).includes(event)) throw new Error(`Unknown event ${event}`);
    const set = listeners.get(event) ?? new Set<Listener>();
    set.add(listener as Listener);
    listeners.set(event, set);
    return () => set.delete(listener as Listener);
  },
};

contextBridge.exposeInMainWorld('orkestr', api);
