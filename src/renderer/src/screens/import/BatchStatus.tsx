/** Step 5 of the import wizard: a committed batch — what the server has, refusals to fix and resume, roll back, availability kept locally, publishing the drafts. */
import { useState } from 'react';
import type { ImportBatchItemState, ImportBatchStatusView } from '../../../../shared/contract/types.ts';
import { api } from '../../api.ts';
import { Dialog, Empty, ErrorState, Loading, errorText } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { useQuery } from '../../lib/useQuery.ts';
import { useApp } from '../../store/app.ts';

const stateKeys: readonly ImportBatchItemState[] = ['sent', 'queued', 'paused', 'refused', 'discarded', 'unchanged'];

export function BatchStatusPanel({ batchId, onNew }: { batchId: string; onNew: () => void }) {
  const { t } = useT();
  const q = useQuery('import.status', { batchId }, ['intents', 'offerings', 'conflicts']);
  if (q.loading && !q.data) return <Loading />;
  if (q.error && !q.data) return <ErrorState error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Empty>{t('import.batchGone')}</Empty>;
  return <BatchStatusView status={q.data} onNew={onNew} />;
}

/**
 * A batch's status with its actions (verify availability, fix and resume, roll back, publish the
 * drafts). Long: the cards share the busy flag, the slug fixes and the rollback confirmation.
 */
// eslint-disable-next-line max-lines-per-function -- the cards share the busy flag, the slug fixes and the rollback confirmation (see the comment above)
function BatchStatusView({ status, onNew }: { status: ImportBatchStatusView; onNew: () => void }) {
  const { t } = useT();
  const toast = useApp((s) => s.toast);
  const c = status.counts;
  const total = status.items.length;
  const rules = status.items.reduce((n, i) => n + i.localRules, 0);
  const [verify, setVerify] = useState<{ summary: string; onServer: number } | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [confirmRollback, setConfirmRollback] = useState(false);
  const [fixes, setFixes] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const refused = status.items.filter((i) => i.state === 'refused');
  const offerings = useQuery('offerings.list', {}, ['offerings', 'intents']);
  const ids = new Set(status.items.filter((i) => i.action === 'create' && i.state === 'sent').map((i) => i.offeringId));
  const drafts = (offerings.data ?? []).filter((o) => ids.has(o.id) && o.status === 'DRAFT' && !o.deleted);

  const runVerify = async () => {
    setVerifying(true);
    try {
      const r = await api.call('import.verifyAvailability', { batchId: status.batchId });
      setVerify({ summary: r.portalSummary, onServer: r.checks.reduce((n, ch) => n + ch.onServer, 0) });
    } catch (err) {
      toast({ kind: 'error', message: errorText(t, err) });
    } finally {
      setVerifying(false);
    }
  };
  const resume = async () => {
    setBusy(true);
    try {
      const payload: Record<string, { slug: string }> = {};
      for (const [slug, next] of Object.entries(fixes)) if (next.trim()) payload[slug] = { slug: next.trim() };
      const r = await api.call('import.resume', { batchId: status.batchId, fixes: payload });
      toast({ kind: 'success', message: t('import.resumed', { n: r.retried + r.released }) });
      setFixes({});
    } catch (err) {
      toast({ kind: 'error', message: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  };
  const rollback = async () => {
    setBusy(true);
    try {
      const r = await api.call('import.rollback', { batchId: status.batchId });
      toast({ kind: 'success', message: t('import.rolledBack', { discarded: r.discarded, deletes: r.deletes, reverts: r.reverts }) });
    } catch (err) {
      toast({ kind: 'error', message: errorText(t, err) });
    } finally {
      setBusy(false);
      setConfirmRollback(false);
    }
  };
  const publishAll = async () => {
    setBusy(true);
    let ok = 0;
    for (const o of drafts) {
      try {
        await api.call('offerings.patch', { id: o.id, fields: { status: 'PUBLISHED' } });
        ok++;
      } catch (err) {
        toast({ kind: 'error', message: `${o.title}: ${errorText(t, err)}` });
      }
    }
    if (ok) toast({ kind: 'success', message: t('import.publishedN', { n: ok }) });
    setBusy(false);
  };
  const slugValid = (s: string) => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(s) && s.length <= 80;
  const fixInvalid = Object.values(fixes).some((v) => v.trim() !== '' && !slugValid(v.trim()));

  return (
    <>
      <section className="card" aria-labelledby="imp-batch">
        <div className="card-head">
          <h2 id="imp-batch" className="h2">
            {t('import.batchTitle', { file: status.fileName })}
          </h2>
          <span className={`chip import-batch-${status.state}`}>{t(`import.batchState.${status.state}` as MessageKey)}</span>
        </div>
        <p role="status" aria-live="polite" className="import-plain">
          {status.state === 'rolled_back'
            ? t('import.plain.rolledBack')
            : c.sent + c.unchanged === total
              ? t('import.plain.allSent', { n: total })
              : t('import.plain.partial', { sent: c.sent, n: total, waiting: c.queued + c.paused, refused: c.refused })}
        </p>
        <ul className="chips import-state-chips" aria-label={t('import.stateCounts')}>
          {stateKeys
            .filter((k) => c[k] > 0 && status.state !== 'rolled_back')
            .map((k) => (
              <li key={k} className={`chip import-state-${k}`}>
                {t(`import.state.${k}` as MessageKey)}: {c[k]}
              </li>
            ))}
        </ul>
        {c.paused > 0 && <p className="notice notice-warning">{t('import.pausedExplain', { n: c.paused })}</p>}
      </section>

      {refused.length > 0 && status.state !== 'rolled_back' && (
        <section className="card import-refused" aria-labelledby="imp-refused">
          <h2 id="imp-refused" className="h2">
            {t('import.refusedTitle', { n: refused.length })}
          </h2>
          <p>{t('import.refusedExplain')}</p>
          <ul className="plain-list">
            {refused.map((i) => (
              <li key={i.slug} className="import-refused-item">
                <div>
                  <code className="code">{i.slug}</code> <span className="muted">{t('import.where.line', { line: i.line })}</span>
                  <p className="notice notice-danger small">{i.error ?? t('import.refusedUnknown')}</p>
                </div>
                <label className="filter">
                  {t('import.newSlug', { slug: i.slug })}
                  <input
                    type="text"
                    value={fixes[i.slug] ?? ''}
                    placeholder={`${i.slug}-2`}
                    aria-invalid={Boolean(fixes[i.slug]?.trim()) && !slugValid(fixes[i.slug]!.trim())}
                    onChange={(e) => {
                      const value = e.currentTarget.value;
                      setFixes((f) => ({ ...f, [i.slug]: value }));
                    }}
                  />
                </label>
              </li>
            ))}
          </ul>
          {fixInvalid && <p className="field-error">{t('import.slugInvalid')}</p>}
          <div className="card-actions">
            <span className="muted small">{t('import.resumeHint')}</span>
            <button type="button" className="btn btn-danger" onClick={() => setConfirmRollback(true)} disabled={busy}>
              {t('import.rollback')}
            </button>
            <button type="button" className="btn btn-primary" onClick={() => void resume()} disabled={busy || fixInvalid}>
              {t('import.resume')}
            </button>
          </div>
        </section>
      )}

      <section className="card" aria-labelledby="imp-avail">
        <h2 id="imp-avail" className="h2">
          {t('import.availTitle')}
        </h2>
        {rules === 0 ? (
          <p className="muted">{t('import.availNone')}</p>
        ) : (
          <>
            <p className="notice notice-warning">{t('import.availLocal', { n: rules })}</p>
            <div className="card-actions">
              <button type="button" className="btn" onClick={() => void runVerify()} disabled={verifying}>
                {verifying ? t('common.loading') : t('import.verify')}
              </button>
            </div>
            {verify && (
              <>
                <p>{t('import.verifyResult', { onServer: verify.onServer, n: rules })}</p>
                <h3 className="h3">{t('import.portalSummary')}</h3>
                <pre className="pre import-portal" tabIndex={0} aria-label={t('import.portalSummary')}>
                  {verify.summary || t('import.availNone')}
                </pre>
              </>
            )}
          </>
        )}
      </section>

      <section className="card" aria-labelledby="imp-items">
        <h2 id="imp-items" className="h2">
          {t('import.itemsTitle')}
        </h2>
        <div className="table-wrap import-rows" tabIndex={0} role="region" aria-label={t('import.itemsTitle')}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col" className="num">
                  {t('import.col.line')}
                </th>
                <th scope="col">{t('import.col.slug')}</th>
                <th scope="col">{t('import.col.action')}</th>
                <th scope="col">{t('import.col.server')}</th>
                <th scope="col" className="num">
                  {t('import.col.localRules')}
                </th>
              </tr>
            </thead>
            <tbody>
              {status.items.map((i) => (
                <tr key={`${i.slug}-${i.line}`}>
                  <td className="num">{i.line}</td>
                  <td>
                    <code className="code">{i.slug}</code>
                  </td>
                  <td>{t(`import.action.${i.action}` as MessageKey)}</td>
                  <td>
                    {status.state === 'rolled_back' && i.state === 'sent' ? (
                      <span className="chip import-state-paused">{t('import.state.undoing')}</span>
                    ) : (
                      <span className={`chip import-state-${i.state}`}>{t(`import.state.${i.state}` as MessageKey)}</span>
                    )}
                    {i.error && <span className="small import-note">{i.error}</span>}
                  </td>
                  <td className="num">{i.localRules}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="card-actions">
          {drafts.length > 0 && status.state !== 'rolled_back' && (
            <button type="button" className="btn" onClick={() => void publishAll()} disabled={busy}>
              {t('import.publishAll', { n: drafts.length })}
            </button>
          )}
          {refused.length === 0 && status.state !== 'rolled_back' && (
            <button type="button" className="btn btn-danger" onClick={() => setConfirmRollback(true)} disabled={busy}>
              {t('import.rollback')}
            </button>
          )}
          <button type="button" className="btn btn-primary" onClick={onNew}>
            {t('import.another')}
          </button>
        </div>
      </section>

      {confirmRollback && (
        <Dialog
          title={t('import.rollbackTitle')}
          onClose={() => setConfirmRollback(false)}
          describedBy="imp-rollback-desc"
          footer={
            <>
              <button type="button" className="btn" onClick={() => setConfirmRollback(false)} data-autofocus>
                {t('common.cancel')}
              </button>
              <button type="button" className="btn btn-danger" onClick={() => void rollback()} disabled={busy}>
                {t('import.rollbackConfirm')}
              </button>
            </>
          }
        >
          <p id="imp-rollback-desc">{t('import.rollbackExplain')}</p>
        </Dialog>
      )}
    </>
  );
}
