/** Connection (API URL + key, or the demo tenant), webhook relay, language, theme, undo window, notifications. */
import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { SecretKeeping } from '../../../shared/contract/types.ts';
import { api, transportKind } from '../api.ts';
import { Dialog, ErrorState, Field, Loading, PageHeader, errorText } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { useApp } from '../store/app.ts';
import { ContractError, apiKeyPattern } from '../../../shared/contract/types.ts';
import { CalendarFeedsCard } from './CalendarFeeds.tsx';
import { AccountFacts } from './SettingsAccount.tsx';

function notificationState(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

type KeepChoice = Exclude<SecretKeeping, 'encrypted'>;

/**
 * Asked when the core answers NEEDS_CONFIRMATION: this machine cannot encrypt secrets, so the user
 * chooses to keep them unencrypted, for this session only, or not at all (Cancel, Escape, ×).
 */
function KeepSecretDialog({ what, onChoose, onCancel }: { what: 'apiKey' | 'relay'; onChoose: (keep: KeepChoice) => void; onCancel: () => void }) {
  const { t } = useT();
  const bodyId = useId();
  return (
    <Dialog title={t(`settings.keep.title.${what}`)} onClose={onCancel} describedBy={bodyId}>
      <div id={bodyId} className="stack-tight">
        <p className="notice notice-warning">{t('settings.keep.why')}</p>
        <p>{t(`settings.keep.risk.${what}`)}</p>
        <p>{t('settings.keep.sessionExplained')}</p>
      </div>
      <div className="keep-choices">
        <button type="button" className="btn btn-primary" onClick={() => onChoose('session')} data-autofocus>
          {t('settings.keep.session')}
        </button>
        <button type="button" className="btn" onClick={() => onChoose('plain')}>
          {t('settings.keep.plain')}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </Dialog>
  );
}

/** How this machine keeps secrets: the keychain, or a warning that it has none. */
function SecretStorageNotice() {
  const { t } = useT();
  const secrets = useApp((s) => s.session?.secrets);
  if (!secrets) return null;
  return secrets.encryptionAvailable ? (
    <p className="notice notice-ok secrets-notice">
      <span aria-hidden="true">🔒 </span>
      {t('settings.secrets.encrypted')}
    </p>
  ) : (
    <p className="notice notice-warning secrets-notice">{t('settings.secrets.noEncryption')}</p>
  );
}

function keptText(t: ReturnType<typeof useT>['t'], prefix: 'settings.apiKey' | 'settings.relay', keeping: SecretKeeping | null | undefined): string | null {
  if (keeping === 'encrypted') return t(`${prefix}.keptEncrypted`);
  if (keeping === 'plain') return t(`${prefix}.keptPlain`);
  if (keeping === 'session') return t(`${prefix}.keptSession`);
  return null;
}

// eslint-disable-next-line max-lines-per-function -- a React card: the fields, the keep-choice question and the connect call share its state
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
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    if (settings?.apiUrl) setApiUrl(settings.apiUrl);
  }, [settings?.apiUrl]);

  const send = async (keep?: KeepChoice) => {
    setBusy(true);
    setFormError(null);
    try {
      const s = await api.call('settings.connect', { apiUrl, apiKey: apiKey.trim(), ...(keep ? { keep } : {}) });
      setApiKey('');
      useApp.setState({ session: s });
      void useApp.getState().refreshSession();
      toast({ kind: 'success', message: t('settings.connected', { tenant: s.tenant?.name ?? '' }) });
    } catch (err) {
      if (err instanceof ContractError && err.code === 'NEEDS_CONFIRMATION') setConfirming(true);
      else {
        if (err instanceof ContractError && err.fields) setErrors(Object.fromEntries(err.fields.map((f) => [f.path, f.message])));
        setFormError(errorText(t, err));
      }
    } finally {
      setBusy(false);
    }
  };

  const connect = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    try {
      new URL(apiUrl);
    } catch {
      errs.apiUrl = t('field.required');
    }
    if (!apiKeyPattern.test(apiKey.trim())) errs.apiKey = t('settings.apiKeyHint');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    await send();
  };
  const kept = session?.mode === 'connected' ? keptText(t, 'settings.apiKey', session.secrets.apiKey) : null;
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
      {kept && <p className="muted">{kept}</p>}
      <SecretStorageNotice />
      {session?.secrets.unreadable.includes('apiKey') ? (
        <p className="notice notice-danger secrets-notice" role="alert">
          {t('settings.apiKey.unreadable')}
        </p>
      ) : (
        session?.mode === 'none' && session.apiUrl && <p className="notice notice-warning secrets-notice">{t('settings.apiKey.again', { url: session.apiUrl })}</p>
      )}
      {formError && (
        <p className="notice notice-danger" role="alert">
          {formError}
        </p>
      )}
      <form className="form" onSubmit={connect} noValidate>
        <Field label={t('settings.apiUrl')} error={errors.apiUrl}>
          {(p) => <input {...p} type="url" value={apiUrl} onChange={(e) => setApiUrl(e.target.value)} autoComplete="off" />}
        </Field>
        <Field label={t('settings.apiKey')} error={errors.apiKey} hint={t('settings.apiKeyHint')}>
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
      {confirming && (
        <KeepSecretDialog
          what="apiKey"
          onCancel={() => setConfirming(false)}
          onChoose={(keep) => {
            setConfirming(false);
            void send(keep);
          }}
        />
      )}
    </section>
  );
}

const relayChannelPattern = /\/v1\/channels\/ch_[A-Za-z0-9_-]+\/?$/;
type RelayField = 'channelUrl' | 'deviceToken' | 'webhookSecret' | 'previousWebhookSecret';

/** Webhooks through a relay channel: the channel's URL, this device's token and the signing secret(s). */
// eslint-disable-next-line max-lines-per-function -- a React card: three secret fields, their keep-choice and the connect/disconnect calls share its state
function RelayCard() {
  const { t } = useT();
  const session = useApp((s) => s.session);
  const settings = useApp((s) => s.settings);
  const toast = useApp((s) => s.toast);
  const current = settings?.relayUrl && settings.relayChannelId ? `${settings.relayUrl.replace(/\/+$/, '')}/v1/channels/${settings.relayChannelId}` : '';
  const [channelUrl, setChannelUrl] = useState(current);
  const [deviceToken, setDeviceToken] = useState('');
  const [webhookSecret, setWebhookSecret] = useState('');
  const [previousSecret, setPreviousSecret] = useState('');
  const [errors, setErrors] = useState<Partial<Record<RelayField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    if (current) setChannelUrl(current);
  }, [current]);

  const done = (message: string) => {
    setDeviceToken('');
    setWebhookSecret('');
    setPreviousSecret('');
    void useApp.getState().refreshSession();
    toast({ kind: 'success', message });
  };

  const send = async (keep?: KeepChoice) => {
    setBusy(true);
    setFormError(null);
    try {
      const s = await api.call('settings.connectRelay', {
        channelUrl: channelUrl.trim(),
        deviceToken: deviceToken.trim(),
        webhookSecret: webhookSecret.trim(),
        ...(previousSecret.trim() ? { previousWebhookSecret: previousSecret.trim() } : {}),
        ...(keep ? { keep } : {}),
      });
      useApp.setState({ settings: s });
      done(t('settings.relay.connected', { channel: s.relayChannelId ?? '' }));
    } catch (err) {
      if (err instanceof ContractError && err.code === 'NEEDS_CONFIRMATION') setConfirming(true);
      else {
        if (err instanceof ContractError && err.fields) {
          const known: Record<RelayField, string> = {
            channelUrl: t('settings.relay.channelUrlInvalid'),
            deviceToken: err.code === 'BAD_INPUT' && /refused/.test(err.message) ? t('settings.relay.tokenRefused') : t('settings.relay.tooShort'),
            webhookSecret: t('settings.relay.tooShort'),
            previousWebhookSecret: t('settings.relay.tooShort'),
          };
          setErrors(Object.fromEntries(err.fields.map((f) => [f.path, known[f.path as RelayField] ?? f.message])));
        }
        setFormError(errorText(t, err));
      }
    } finally {
      setBusy(false);
    }
  };

  const connect = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Partial<Record<RelayField, string>> = {};
    try {
      const url = new URL(channelUrl.trim());
      if (!/^https?:$/.test(url.protocol) || !relayChannelPattern.test(url.pathname)) errs.channelUrl = t('settings.relay.channelUrlInvalid');
    } catch {
      errs.channelUrl = t('settings.relay.channelUrlInvalid');
    }
    if (deviceToken.trim().length < 8) errs.deviceToken = t('settings.relay.tooShort');
    if (webhookSecret.trim().length < 8) errs.webhookSecret = t('settings.relay.tooShort');
    if (previousSecret.trim() && previousSecret.trim().length < 8) errs.previousWebhookSecret = t('settings.relay.tooShort');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    await send();
  };

  const disconnect = async () => {
    setBusy(true);
    setFormError(null);
    try {
      const s = await api.call('settings.disconnectRelay', {});
      useApp.setState({ settings: s });
      setChannelUrl('');
      done(t('settings.relay.disconnected'));
    } catch (err) {
      setFormError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const secrets = session?.secrets;
  let state: string;
  if (settings?.relayUrl && settings.relayChannelId) {
    const kept = keptText(t, 'settings.relay', secrets?.relay);
    state = `${t('settings.relay.current', { channel: settings.relayChannelId, url: settings.relayUrl })}${kept ? ` ${kept}` : ''}`;
  } else state = session?.mode === 'demo' ? `${t('settings.relay.none')} ${t('settings.relay.demo')}` : t('settings.relay.none');
  return (
    <section className="card" aria-labelledby="set-relay">
      <h2 id="set-relay" className="h2">
        {t('settings.relay.title')}
      </h2>
      <p className="muted">{t('settings.relay.intro')}</p>
      <p>{state}</p>
      {secrets?.unreadable.includes('relay') ? (
        <p className="notice notice-danger secrets-notice" role="alert">
          {t('settings.relay.unreadable')}
        </p>
      ) : (
        settings?.relayChannelId && !secrets?.relay && <p className="notice notice-warning secrets-notice">{t('settings.relay.again')}</p>
      )}
      {formError && (
        <p className="notice notice-danger" role="alert">
          {formError}
        </p>
      )}
      <form className="form" onSubmit={connect} noValidate>
        <Field label={t('settings.relay.channelUrl')} error={errors.channelUrl} hint={t('settings.relay.channelUrlHint')}>
          {(p) => <input {...p} type="url" value={channelUrl} onChange={(e) => setChannelUrl(e.target.value)} autoComplete="off" spellCheck={false} />}
        </Field>
        <div className="form-row">
          <Field label={t('settings.relay.deviceToken')} error={errors.deviceToken} hint={t('settings.relay.secretsHint')}>
            {(p) => <input {...p} type="password" value={deviceToken} onChange={(e) => setDeviceToken(e.target.value)} autoComplete="off" spellCheck={false} />}
          </Field>
          <Field label={t('settings.relay.webhookSecret')} error={errors.webhookSecret} hint={t('settings.relay.secretsHint')}>
            {(p) => <input {...p} type="password" value={webhookSecret} onChange={(e) => setWebhookSecret(e.target.value)} autoComplete="off" spellCheck={false} />}
          </Field>
        </div>
        <Field label={t('settings.relay.previousSecret')} error={errors.previousWebhookSecret} hint={t('settings.relay.previousSecretHint')}>
          {(p) => <input {...p} type="password" value={previousSecret} onChange={(e) => setPreviousSecret(e.target.value)} autoComplete="off" spellCheck={false} />}
        </Field>
        <div className="form-actions form-actions-start">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('settings.relay.connect')}
          </button>
          {settings?.relayChannelId && (
            <button type="button" className="btn" onClick={() => void disconnect()} disabled={busy}>
              {t('settings.relay.disconnect')}
            </button>
          )}
        </div>
      </form>
      {confirming && (
        <KeepSecretDialog
          what="relay"
          onCancel={() => setConfirming(false)}
          onChoose={(keep) => {
            setConfirming(false);
            void send(keep);
          }}
        />
      )}
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
        <AccountFacts />
        <RelayCard />
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
