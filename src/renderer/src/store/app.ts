/** App-wide state: session, settings, sync status, counts for nav badges, route, toasts, overlays. */
import { create } from 'zustand';
import type { EngineStatus, SessionInfo, Settings, SyncStatus } from '../../../shared/contract/types.ts';
import { api, onTransportState, transportKind } from '../api.ts';
import type { TransportState } from '../api.ts';
import { parseRoute, routeHash } from '../lib/routes.ts';
import type { Route } from '../lib/routes.ts';
import { translate } from '../i18n/translate.ts';
import type { Language } from '../i18n/translate.ts';

export interface Toast {
  id: number;
  message: string;
  kind: 'info' | 'success' | 'error';
  action?: { label: string; run: () => void };
  /** 0 = stays until dismissed. */
  timeoutMs: number;
}

export type PendingCommand = 'newOffering' | 'newCoupon' | null;

interface AppState {
  ready: boolean;
  session: SessionInfo | null;
  settings: Settings | null;
  sync: SyncStatus | null;
  /** The engine's supervisor (desktop app, `serve`): crashes, restarts, a crash loop. */
  engine: EngineStatus | null;
  /** The crash whose "restarted" notice the user dismissed (its `lastCrash.at`). */
  engineNoticeDismissed: string | null;
  dismissEngineNotice(): void;
  restartEngine(): Promise<void>;
  transport: TransportState;
  transportDetail: string | null;
  fallbackLanguage: Language;
  queueCount: number | null;
  unreadCount: number;
  route: Route;
  now: number;
  toasts: Toast[];
  paletteOpen: boolean;
  shortcutsOpen: boolean;
  pendingCommand: PendingCommand;
  init(): () => void;
  navigate(route: Route): void;
  setRouteFromHash(): void;
  toast(t: Omit<Toast, 'id' | 'timeoutMs'> & { timeoutMs?: number }): number;
  dismissToast(id: number): void;
  setPalette(open: boolean): void;
  setShortcuts(open: boolean): void;
  setPendingCommand(c: PendingCommand): void;
  updateSettings(patch: { language?: Language; theme?: Settings['theme']; undoSeconds?: number }): Promise<void>;
  refreshSession(): Promise<void>;
  refreshCounts(): Promise<void>;
}

let toastSeq = 0;
/**
 * How many `engine.status` events this page has heard. An answer to `engine.status` or
 * `engine.restart` may reach the page after newer news of the same state (HTTP answers and socket
 * events travel apart), so an answer counts only if no event arrived while it was asked.
 */
let engineEventsHeard = 0;

function browserLanguage(): Language {
  return typeof navigator !== 'undefined' && navigator.language?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

// eslint-disable-next-line max-lines-per-function -- the zustand store: one object of actions sharing set and get
export const useApp = create<AppState>()((set, get) => ({
  ready: false,
  session: null,
  settings: null,
  sync: null,
  engine: null,
  engineNoticeDismissed: null,
  transport: 'ok',
  transportDetail: null,
  fallbackLanguage: browserLanguage(),
  queueCount: null,
  unreadCount: 0,
  route: typeof location !== 'undefined' ? parseRoute(location.hash) : { name: 'queue' },
  now: Date.now(),
  toasts: [],
  paletteOpen: false,
  shortcutsOpen: false,
  pendingCommand: null,

  init() {
    if (transportKind === 'none') return () => {};
    const offs: Array<() => void> = [];
    let countsTimer: ReturnType<typeof setTimeout> | null = null;
    const scheduleCounts = () => {
      if (countsTimer) clearTimeout(countsTimer);
      countsTimer = setTimeout(() => void get().refreshCounts(), 150);
    };
    offs.push(api.on('sync.status', (sync) => set({ sync })));
    offs.push(
      api.on('engine.status', (engine) => {
        engineEventsHeard++;
        set({ engine });
      }),
    );
    offs.push(api.on('session.changed', (session) => {
      set({ session });
      scheduleCounts();
    }));
    offs.push(
      api.on('data.changed', ({ tables }) => {
        if (tables.some((t) => t === 'bookings' || t === 'intents' || t === 'activity' || t === 'conflicts')) scheduleCounts();
      }),
    );
    offs.push(api.on('activity.new', () => scheduleCounts()));
    offs.push(
      api.on('queue.new', ({ count }) => {
        scheduleCounts();
        const lang = get().settings?.language ?? get().fallbackLanguage;
        const message = translate(lang, 'queue.newArrived', { n: count });
        if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
          try {
            new Notification(translate(lang, 'app.name'), { body: message, tag: 'orkestr-queue' });
          } catch {
            /* some contexts forbid the constructor */
          }
        }
      }),
    );
    offs.push(
      onTransportState((transport, transportDetail) => {
        set({ transport, transportDetail });
        if (transport === 'ok') void get().refreshSession();
      }),
    );
    const tick = setInterval(() => set({ now: Date.now() }), 15_000);
    const onHash = () => get().setRouteFromHash();
    window.addEventListener('hashchange', onHash);
    void get()
      .refreshSession()
      .finally(() => set({ ready: true }));
    return () => {
      for (const off of offs) off();
      clearInterval(tick);
      if (countsTimer) clearTimeout(countsTimer);
      window.removeEventListener('hashchange', onHash);
    };
  },

  dismissEngineNotice() {
    set({ engineNoticeDismissed: get().engine?.lastCrash?.at ?? null });
  },

  async restartEngine() {
    const heard = engineEventsHeard;
    const engine = await api.call('engine.restart', {});
    if (heard === engineEventsHeard) set({ engine });
  },

  navigate(route) {
    const hash = routeHash(route);
    if (location.hash !== hash) location.hash = hash;
    set({ route, paletteOpen: false });
  },

  setRouteFromHash() {
    set({ route: parseRoute(location.hash) });
  },

  toast(t) {
    const id = ++toastSeq;
    const timeoutMs = t.timeoutMs ?? (t.kind === 'error' ? 8000 : 4000);
    set((s) => ({ toasts: [...s.toasts.slice(-4), { ...t, id, timeoutMs }] }));
    if (timeoutMs > 0) setTimeout(() => get().dismissToast(id), timeoutMs);
    return id;
  },

  dismissToast(id) {
    set((s) => ({ toasts: s.toasts.filter((x) => x.id !== id) }));
  },

  setPalette(open) {
    set({ paletteOpen: open, shortcutsOpen: open ? false : get().shortcutsOpen });
  },
  setShortcuts(open) {
    set({ shortcutsOpen: open, paletteOpen: open ? false : get().paletteOpen });
  },
  setPendingCommand(pendingCommand) {
    set({ pendingCommand });
  },

  async updateSettings(patch) {
    const prev = get().settings;
    if (prev) set({ settings: { ...prev, ...patch } });
    try {
      const settings = await api.call('settings.set', patch);
      set({ settings });
    } catch (err) {
      if (prev) set({ settings: prev });
      throw err;
    }
  },

  async refreshSession() {
    const heard = engineEventsHeard;
    const [session, settings, sync, engine] = await Promise.allSettled([api.call('session.info', {}), api.call('settings.get', {}), api.call('sync.status', {}), api.call('engine.status', {})]);
    set({
      ...(engine.status === 'fulfilled' && heard === engineEventsHeard ? { engine: engine.value } : {}),
      ...(session.status === 'fulfilled' ? { session: session.value } : {}),
      ...(settings.status === 'fulfilled' ? { settings: settings.value } : {}),
      ...(sync.status === 'fulfilled' ? { sync: sync.value } : {}),
    });
    await get().refreshCounts();
  },

  async refreshCounts() {
    // On the queue screen the screen itself keeps the count; elsewhere a one-row window carries the total.
    const onQueue = get().route.name === 'queue';
    const [queue, activity] = await Promise.allSettled([onQueue ? Promise.reject(new Error('kept by the queue screen')) : api.call('queue.window', { limit: 1 }), api.call('activity.list', { limit: 200 })]);
    set({
      ...(queue.status === 'fulfilled' ? { queueCount: queue.value.total } : {}),
      ...(activity.status === 'fulfilled' ? { unreadCount: activity.value.filter((a) => !a.read).length } : {}),
    });
  },
}));

/**
 * One answer to "is this console live with Orkestr?", shared by the status bar and the queue so
 * they never disagree: `live` only when the core is reachable, the session syncs in the background
 * and the last sync status is not offline/error/paused.
 */
export type LiveState = 'live' | 'offline' | 'error' | 'paused' | 'notLive' | 'coreLost';

export function liveState(s: Pick<AppState, 'session' | 'sync' | 'transport'>): LiveState {
  if (s.transport !== 'ok') return 'coreLost';
  if (!s.session?.live) return 'notLive';
  const c = s.sync?.connection;
  if (c === 'offline') return 'offline';
  if (c === 'error') return 'error';
  if (c === 'paused') return 'paused';
  return 'live';
}

export function useLiveState(): LiveState {
  return useApp(liveState);
}
