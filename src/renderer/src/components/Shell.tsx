/** The frame: skip link, top status bar, banners, left nav, main content, toasts. */
import type { ReactNode } from 'react';
import { useEffect, useRef } from 'react';
import { api } from '../api.ts';
import { useT } from '../i18n/index.ts';
import { labelOr } from '../i18n/translate.ts';
import type { MessageKey } from '../i18n/index.ts';
import { formatRelative } from '../lib/format.ts';
import type { Route, ScreenName } from '../lib/routes.ts';
import { routeHash } from '../lib/routes.ts';
import { useApp, useLiveState } from '../store/app.ts';
import { OutboxButton, UndoBar } from './UndoBar.tsx';

export const screens: Array<{ name: Exclude<ScreenName, 'booking'>; key: MessageKey; icon: string; route: Route }> = [
  { name: 'queue', key: 'nav.queue', icon: '◧', route: { name: 'queue' } },
  { name: 'attention', key: 'nav.attention', icon: '⚠', route: { name: 'attention' } },
  { name: 'today', key: 'nav.today', icon: '◷', route: { name: 'today' } },
  { name: 'bookings', key: 'nav.bookings', icon: '☰', route: { name: 'bookings' } },
  { name: 'catalogue', key: 'nav.catalogue', icon: '▦', route: { name: 'catalogue', tab: 'offerings' } },
  { name: 'disputes', key: 'nav.disputes', icon: '⚑', route: { name: 'disputes' } },
  { name: 'activity', key: 'nav.activity', icon: 'bell', route: { name: 'activity' } },
  { name: 'insights', key: 'nav.insights', icon: '↗', route: { name: 'insights' } },
  { name: 'reviews', key: 'nav.reviews', icon: '★', route: { name: 'reviews' } },
  { name: 'rules', key: 'nav.rules', icon: '⚖', route: { name: 'rules' } },
  { name: 'settings', key: 'nav.settings', icon: '⚙', route: { name: 'settings' } },
];

function BellIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round">
      <path d="M4 11V7a4 4 0 0 1 8 0v4l1.2 1.5H2.8L4 11z" />
      <path d="M6.5 14a1.6 1.6 0 0 0 3 0" />
    </svg>
  );
}

function Nav() {
  const { t } = useT();
  const route = useApp((s) => s.route);
  const queueCount = useApp((s) => s.queueCount);
  const unread = useApp((s) => s.unreadCount);
  const conflicts = useApp((s) => s.sync?.conflicts ?? 0);
  const current = route.name === 'booking' ? 'bookings' : route.name;
  return (
    <nav className="nav" aria-label={t('nav.label')}>
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          O
        </span>
        <span className="brand-name">{t('app.name')}</span>
      </div>
      <ul>
        {screens.map((s) => {
          const badge = s.name === 'queue' && queueCount ? { n: queueCount, label: t('nav.pendingBadge', { n: queueCount }), cls: 'badge' } : s.name === 'activity' && unread ? { n: unread, label: t('nav.unreadBadge', { n: unread }), cls: 'badge' } : s.name === 'attention' && conflicts ? { n: conflicts, label: t('nav.conflictsBadge', { n: conflicts }), cls: 'badge badge-warn' } : null;
          return (
            <li key={s.name}>
              <a href={routeHash(s.route)} className="nav-link" title={t(s.key)} aria-current={current === s.name ? 'page' : undefined}>
                <span className="nav-icon" aria-hidden="true">
                  {s.icon === 'bell' ? <BellIcon /> : s.icon}
                </span>
                <span className="nav-text">{t(s.key)}</span>
                {badge && (
                  <span className={badge.cls}>
                    <span aria-hidden="true">{badge.n > 99 ? '99+' : badge.n}</span>
                    <span className="sr-only">{badge.label}</span>
                  </span>
                )}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function StatusBar() {
  const { t, locale } = useT();
  const session = useApp((s) => s.session);
  const sync = useApp((s) => s.sync);
  const now = useApp((s) => s.now);
  const transport = useApp((s) => s.transport);
  const conn = transport === 'lost' ? 'error' : (sync?.connection ?? 'offline');
  const connLabel = transport === 'lost' ? t('error.transport') : t(`status.${conn}`);
  const p = sync?.progress;
  // The core names the phase by what it fetches (bookings, offerings…); unknown names show as they are.
  const phase = (name: string): string => labelOr(t, `sync.phase.${name.replace(':', '_')}`, name);
  const live = useLiveState();
  return (
    <header className="statusbar">
      <div className="status-tenant">
        <span className="tenant-name">{session?.tenant?.name ?? t('status.noTenant')}</span>
        {session?.mode === 'demo' && <span className="chip chip-demo">{t('status.demo')}</span>}
        {session && !session.writable && (
          <span className="chip chip-readonly" title={t('writes.readOnly')}>
            {t('status.readOnly')}
          </span>
        )}
        <span className={live === 'live' ? 'live live-on' : 'live live-off'}>
          <span className="dot" aria-hidden="true" />
          {live === 'live' ? t('status.live') : t('status.notLive')}
        </span>
      </div>
      <UndoBar />
      <div className="status-sync" role="status" aria-live="polite" aria-label={t('status.label')}>
        <span className={`conn conn-${conn}`}>
          <span className="dot" aria-hidden="true" />
          {connLabel}
        </span>
        {conn === 'syncing' && p && (
          <span className="progress-wrap" title={p.total ? t('status.progress', { phase: phase(p.phase), done: p.done, total: p.total }) : t('status.progressNoTotal', { phase: phase(p.phase), done: p.done })}>
            {p.total ? <progress className="progress" max={p.total} value={Math.min(p.done, p.total)} aria-label={phase(p.phase)} /> : <progress className="progress" aria-label={phase(p.phase)} />}
            <span className="progress-text">{p.total ? `${p.done}/${p.total}` : p.done}</span>
          </span>
        )}
        <OutboxButton count={sync?.outboxLength ?? 0} />
        {sync && sync.conflicts > 0 ? (
          <a className="status-item status-link" href="#/attention">
            {t('status.conflicts', { n: sync.conflicts })}
          </a>
        ) : (
          <span className="status-item">{t('status.conflicts', { n: 0 })}</span>
        )}
        <span className="status-item">{sync?.lastSyncAt ? t('status.lastSync', { when: formatRelative(sync.lastSyncAt, Math.max(now, Date.now()), locale, true) }) : t('status.never')}</span>
        <button type="button" className="btn btn-small" onClick={() => void api.call('sync.now', {}).catch(() => {})} disabled={transport === 'lost' || session?.mode === 'none'}>
          {t('status.syncNow')}
        </button>
      </div>
    </header>
  );
}

/** The engine's own state comes first: while it is down nothing else on screen is current. */
function EngineBanner() {
  const { t, locale } = useT();
  const engine = useApp((s) => s.engine);
  const dismissed = useApp((s) => s.engineNoticeDismissed);
  const dismiss = useApp((s) => s.dismissEngineNotice);
  const restart = useApp((s) => s.restartEngine);
  const toast = useApp((s) => s.toast);
  if (!engine?.supervised) return null;
  const crash = engine.lastCrash;
  const reason = crash ? t(`engine.crash.${crash.kind}`, { detail: crash.detail }) : '';
  if (engine.state === 'failed')
    return (
      <div className="banner banner-error banner-actions" role="alert">
        <span>
          <strong>{t('banner.engineFailed')}</strong> {t('banner.engineFailedDetail', { reason })}
        </span>
        <button type="button" className="btn btn-small" onClick={() => void restart().catch((e: unknown) => toast({ kind: 'error', message: String(e instanceof Error ? e.message : e) }))}>
          {t('banner.engineRestart')}
        </button>
      </div>
    );
  if (engine.state === 'restarting')
    return (
      <div className="banner banner-warning" role="status">
        <strong>{t('banner.engineRestarting')}</strong> {t('banner.engineRestartingDetail', { reason })}
      </div>
    );
  if (engine.lastCrash && engine.lastCrash.at !== dismissed)
    return (
      <div className="banner banner-info banner-actions" role="status">
        <span>{t('banner.engineRestarted', { time: new Date(engine.lastCrash.at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' }), reason })}</span>
        <button type="button" className="btn btn-small btn-ghost" onClick={dismiss}>
          {t('common.dismiss')}
        </button>
      </div>
    );
  return null;
}

/** A key without the write scope: everything is visible, nothing can be changed, and the reason is said once here. */
function ReadOnlyBanner() {
  const { t } = useT();
  const session = useApp((s) => s.session);
  if (!session || session.writable) return null;
  return (
    <div className="banner banner-warning" role="status">
      <strong>{t('status.readOnly')}</strong> {t('writes.readOnly')}
    </div>
  );
}

function Banners() {
  return (
    <>
      <EngineBanner />
      <ReadOnlyBanner />
      <ConnectionBanner />
    </>
  );
}

function ConnectionBanner() {
  const { t } = useT();
  const sync = useApp((s) => s.sync);
  const transport = useApp((s) => s.transport);
  if (transport === 'lost')
    return (
      <div className="banner banner-error" role="alert">
        <strong>{t('banner.coreLost')}</strong> <span>{t('banner.coreLostDetail')}</span>
      </div>
    );
  if (sync?.connection === 'offline')
    return (
      <div className="banner banner-offline" role="status">
        {t('banner.offline')}
      </div>
    );
  if (sync?.connection === 'error')
    return (
      <div className="banner banner-error" role="status">
        {t('banner.syncError', { reason: sync.reason ?? '' })}
      </div>
    );
  if (sync?.connection === 'paused')
    return (
      <div className="banner banner-warning" role="status">
        {t('banner.paused', { reason: sync.reasonCode ? t(`sync.reason.${sync.reasonCode}`) : (sync.reason ?? '') })}
      </div>
    );
  return null;
}

function Toasts() {
  const toasts = useApp((s) => s.toasts);
  const dismiss = useApp((s) => s.dismissToast);
  const { t } = useT();
  return (
    <div className="toasts" aria-live="polite" aria-atomic="false">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'}>
          <span className="toast-msg">{toast.message}</span>
          {toast.action && (
            <button type="button" className="btn btn-small toast-action" onClick={toast.action.run}>
              {toast.action.label}
            </button>
          )}
          <button type="button" className="btn btn-ghost btn-icon btn-small" onClick={() => dismiss(toast.id)} aria-label={t('common.dismiss')}>
            <span aria-hidden="true">×</span>
          </button>
          {toast.timeoutMs > 0 && toast.action && <span className="toast-timer" style={{ animationDuration: `${toast.timeoutMs}ms` }} aria-hidden="true" />}
        </div>
      ))}
    </div>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const { t } = useT();
  const route = useApp((s) => s.route);
  const mainRef = useRef<HTMLElement>(null);
  // Move focus to the new page's heading on navigation (screen readers announce the page).
  const routeKey = JSON.stringify(route);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const h = mainRef.current?.querySelector<HTMLElement>('h1');
    h?.focus({ preventScroll: true });
  }, [routeKey]);
  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={(e) => {
        e.preventDefault();
        mainRef.current?.focus();
      }}>
        {t('app.skip')}
      </a>
      <Nav />
      <div className="app-right">
        <StatusBar />
        <Banners />
        <main id="main" ref={mainRef} tabIndex={-1} className="main">
          {children}
        </main>
      </div>
      <Toasts />
    </div>
  );
}
