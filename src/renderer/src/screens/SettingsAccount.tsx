/** Settings → Account: the business's verification (KYB, from /me and tenant.kyb_verified) and what the API key may do. */
import { useT } from '../i18n/index.ts';
import { useApp } from '../store/app.ts';
import './settings-account.css';

export function AccountFacts() {
  const { t } = useT();
  const session = useApp((s) => s.session);
  const tenant = session?.tenant ?? null;
  if (!session || session.mode === 'none' || !tenant) return null;
  const kyb = tenant.kybStatus;
  return (
    <section className="card" aria-labelledby="set-account">
      <h2 id="set-account" className="h2">
        {t('settings.account')}
      </h2>
      <dl className="account-facts">
        <div>
          <dt>{t('settings.kyb')}</dt>
          <dd>
            <span className={`chip ${kyb === 'VERIFIED' ? 'chip-ok' : kyb === 'REJECTED' ? 'chip-danger' : 'chip-warn'}`}>{t(`settings.kyb.${kyb}`)}</span>
          </dd>
        </div>
        <div>
          <dt>{t('settings.keyAccess')}</dt>
          <dd>{session.scopes === null ? t('settings.keyAccess.unknown') : session.writable ? t('settings.keyAccess.write') : t('settings.keyAccess.read')}</dd>
        </div>
      </dl>
    </section>
  );
}
