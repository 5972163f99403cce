/** Connection (API URL + key, or the demo tenant), language, theme, undo window, notifications. */
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { api, transportKind } from '../api.ts';
import { ErrorState, Field, Loading, PageHeader, errorText } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { useApp } from '../store/app.ts';
import { ContractError } from '../lib/contract-values.ts';
import { CalendarFeedsCard } from './CalendarFeeds.tsx';

function notificationState(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

function ConnectionCard() {
  const { t } = useT();
  const session = useApp((s) => s.session);
  const settings = useApp((s) => s.settings);
  const toast = useApp((s) => s.toast);
  const [apiUrl, setApiUrl] = useState(settings?.apiUrl ?? 'https://api.orkestr.in/v1');
  const [apiKey, setApiKey] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (settings?.apiUrl) setApiUrl(settings.apiUrl);
  }, [settings?.apiUrl]);

  const connect = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    try {
      new URL(apiUrl);
    } catch {
      errs.apiUrl = t('field.required');
    }
    if (!/^ork_[a-z0-9]{8}\.[A-Za-z0-9_-]{16,64}$/.test(apiKey.trim())) errs.apiKey = t('settings.apiKeyHint');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setFormError(null);
    try {
      const s = await api.call('settings.connect', { apiUrl, apiKey: apiKey.trim() });
      setApiKey('');
      useApp.setState({ session: s });
      void useApp.getState().refreshSession();
      toast({ kind: 'success', message: t('settings.connected', { tenant: s.tenant?.name ?? '' }) });
    } catch (err) {
      if (err instanceof ContractError && err.fields) setErrors(Object.fromEntries(err.fields.map((f) => [f.path, f.message])));
      setFormError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const demo = async () => {
    setBusy(true);
    setFormError(null);
    try {
      const s = await api.call('settings.useDemo', {});
      useApp.setState({ session: s });
      void useApp.getState().refreshSession();
      toast({ kind: 'success', message: t('settings.demoStarted') });
    } catch (err) {
      setFormError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="set-conn">
      <h2 id="set-conn" className="h2">
        {t('settings.connection')}
      </h2>
      <p>
        {session?.mode === 'demo' ? t('settings.mode.demo') : session?.mode === 'connected' ? t('settings.mode.connected') : t('settings.mode.none')}
        {session?.tenant && <strong> {session.tenant.name}</strong>}
      </p>
      {formError && (
        <p className="notice notice-danger" role="alert">
          {formError}
        </p>
      )}
      <form className="form" onSubmit={connect} noValidate>
        <Field label={t('settings.apiUrl')} error={errors.apiUrl}>
          {(p) => <input {...p} type="url" value={apiUrl} onChange={(e) => setApiUrl(e.target.value)} autoComplete="off" />}
        </Field>
        <Field label={t('settings.apiKey')} error={errors.apiKey} hint={settings?.hasApiKey ? `${t('settings.apiKeyStored')} ${t('settings.apiKeyHint')}` : t('settings.apiKeyHint')}>
          {(p) => <input {...p} type="password" value={apiKey} onChange={(e) => setApiKey(e.target.value)} autoComplete="off" spellCheck={false} placeholder="ork_xxxxxxxx.…" />}
        </Field>
        <div className="form-actions form-actions-start">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('settings.connect')}
          </button>
          <button type="button" className="btn" onClick={() => void demo()} disabled={busy}>
            {t('settings.useDemo')}
          </button>
        </div>
      </form>
    </section>
  );
}

function PreferencesCard() {
  const { t } = useT();
  const settings = useApp((s) => s.settings);
  const update = useApp((s) => s.updateSettings);
  const toast = useApp((s) => s.toast);
  const [undo, setUndo] = useState(String(settings?.undoSeconds ?? 5));
  const [undoError, setUndoError] = useState<string | null>(null);
  useEffect(() => {
    if (settings) setUndo(String(settings.undoSeconds));
  }, [settings?.undoSeconds]);
  if (!settings) return null;
  const apply = (patch: Parameters<typeof update>[0]) => update(patch).catch((err: unknown) => toast({ kind: 'error', message: errorText(t, err) }));
  return (
    <section className="card" aria-labelledby="set-pref">
      <h2 id="set-pref" className="h2">
        {t('settings.appearance')}
      </h2>
      <div className="form">
        <div className="form-row">
          <Field label={t('settings.language')}>
            {(p) => (
              <select {...p} value={settings.language} onChange={(e) => void apply({ language: e.target.value as 'en' | 'es' })}>
                <option value="en" lang="en">
                  English
                </option>
                <option value="es" lang="es">
                  Español
                </option>
              </select>
            )}
          </Field>
          <Field label={t('settings.theme')}>
            {(p) => (
              <select {...p} value={settings.theme} onChange={(e) => void apply({ theme: e.target.value as 'system' | 'light' | 'dark' })}>
                <option value="system">{t('settings.theme.system')}</option>
                <option value="light">{t('settings.theme.light')}</option>
                <option value="dark">{t('settings.theme.dark')}</option>
              </select>
            )}
          </Field>
          <Field label={t('settings.undoSeconds')} hint={t('settings.undoHint')} error={undoError}>
            {(p) => (
              <input
                {...p}
                type="number"
                min={0}
                max={60}
                value={undo}
                onChange={(e) => setUndo(e.target.value)}
                onBlur={() => {
                  const n = Number(undo);
                  if (!Number.isInteger(n) || n < 0 || n > 60) return setUndoError(t('field.invalidNumber', { min: 0 }));
                  setUndoError(null);
                  if (n !== settings.undoSeconds) void apply({ undoSeconds: n });
                }}
              />
            )}
          </Field>
        </div>
      </div>
    </section>
  );
}

function NotificationsCard() {
  const { t } = useT();
  const [perm, setPerm] = useState(notificationState());
  return (
    <section className="card" aria-labelledby="set-notif">
      <h2 id="set-notif" className="h2">
        {t('settings.notifications')}
      </h2>
      <p>{t('settings.notificationsHint')}</p>
      <p role="status" className="muted">
        {perm === 'granted' ? t('settings.notif.granted') : perm === 'denied' ? t('settings.notif.denied') : perm === 'unsupported' ? t('settings.notif.unsupported') : ''}
      </p>
      {perm === 'default' && (
        <button type="button" className="btn" onClick={() => void Notification.requestPermission().then(setPerm)}>
          {t('settings.enableNotifications')}
        </button>
      )}
    </section>
  );
}

export function SettingsScreen() {
  const { t } = useT();
  const session = useApp((s) => s.session);
  const settings = useApp((s) => s.settings);
  const ready = useApp((s) => s.ready);
  const transport = useApp((s) => s.transport);
  let body;
  if (!ready) body = <Loading />;
  else if (!settings && transport === 'lost') body = <ErrorState error={new Error(t('error.transport'))} onRetry={() => void useApp.getState().refreshSession()} />;
  else
    body = (
      <div className="stack">
        <ConnectionCard />
        <PreferencesCard />
        <NotificationsCard />
        <CalendarFeedsCard />
        <section className="card" aria-labelledby="set-about">
          <h2 id="set-about" className="h2">
            {t('settings.about')}
          </h2>
          <p className="muted small">
            {t('settings.version', { v: session?.appVersion ?? '?' })} · {t('settings.transport', { t: session?.transport ?? transportKind })}
            {settings?.relayUrl && <> · {t('settings.relay', { url: settings.relayUrl })}</>}
          </p>
        </section>
      </div>
    );
  return (
    <div className="page">
      <PageHeader title={t('settings.title')} />
      {body}
    </div>
  );
}
