/**
 * Approval rules (#17): the rules with their on/off switch and what they did today, the global pause
 * switch, and the form that previews a new rule over history before it is saved (switched off).
 */
import { useState } from 'react';
import type { RuleView } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { Dialog, Empty, ErrorState, Loading, PageHeader, errorText } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import type { T } from '../i18n/index.ts';
import { formatMoney, formatWeekday } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp } from '../store/app.ts';
import { RuleForm } from './RulesForm.tsx';
import { RulesTransfer } from './RulesTransfer.tsx';
import './rules.css';

/** "risk score ≤ 30 · not held for review · …" in the user's language. */
export function conditionsText(t: T, rule: Pick<RuleView, 'conditions'>, currency: string, locale: string): string {
  const c = rule.conditions;
  const parts: string[] = [];
  if (c.maxRiskScore !== undefined) parts.push(t('rules.cond.maxRiskScore', { n: c.maxRiskScore }));
  if (c.notHeld) parts.push(t('rules.cond.notHeld'));
  if (c.noOverlap) parts.push(t('rules.cond.noOverlap'));
  if (c.minLeadHours !== undefined) parts.push(t('rules.cond.minLeadHours', { n: c.minLeadHours }));
  if (c.maxLeadHours !== undefined) parts.push(t('rules.cond.maxLeadHours', { n: c.maxLeadHours }));
  if (c.maxTotalCents !== undefined) parts.push(t('rules.cond.maxTotal', { amount: formatMoney(c.maxTotalCents, currency, locale) }));
  if (c.minCompletedBookings !== undefined) parts.push(t('rules.cond.returning', { n: c.minCompletedBookings }));
  if (c.allowList) parts.push(t('rules.cond.allowList', { n: c.allowList.length }));
  if (c.weekdays) parts.push(t('rules.cond.weekdays', { days: c.weekdays.map((d) => formatWeekday(d, locale, 'short')).join(', ') }));
  if (c.startTimeFrom) parts.push(t('rules.cond.timeFrom', { time: c.startTimeFrom }));
  if (c.startTimeTo) parts.push(t('rules.cond.timeTo', { time: c.startTimeTo }));
  return parts.join(' · ');
}

function RuleRow({ rule, currency, onRemove }: { rule: RuleView; currency: string; onRemove: (r: RuleView) => void }) {
  const { t, locale } = useT();
  const toast = useApp((s) => s.toast);
  const [busy, setBusy] = useState(false);
  const toggle = async (enabled: boolean) => {
    setBusy(true);
    try {
      await api.call('rules.setEnabled', { id: rule.id, enabled });
      toast({ kind: 'success', message: t(enabled ? 'rules.switchedOn' : 'rules.switchedOff', { name: rule.name }) });
    } catch (err) {
      toast({ kind: 'error', message: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr>
      <td>
        <input type="checkbox" role="switch" className="rules-switch" checked={rule.enabled} disabled={busy} aria-label={t('rules.switchNamed', { name: rule.name })} onChange={(e) => void toggle(e.currentTarget.checked)} />
      </td>
      <th scope="row" className="rules-row-head">
        {rule.name}
      </th>
      <td>
        {t(rule.action === 'approve' ? 'rules.action.approve' : 'rules.action.flag')}
        <span className="muted"> · {rule.offeringIds.length ? t('rules.scope.some', { n: rule.offeringIds.length }) : t('rules.scope.all')}</span>
      </td>
      <td className="rules-conditions">{conditionsText(t, rule, currency, locale)}</td>
      <td className="nowrap">{rule.dailyCap === null ? t('rules.today', { done: rule.today }) : t('rules.todayCap', { done: rule.today, cap: rule.dailyCap })}</td>
      <td>
        <button type="button" className="btn btn-small btn-danger" onClick={() => onRemove(rule)} aria-label={t('rules.removeNamed', { name: rule.name })}>
          {t('rules.remove')}
        </button>
      </td>
    </tr>
  );
}

function RulesTable({ rules, currency, onRemove }: { rules: RuleView[]; currency: string; onRemove: (r: RuleView) => void }) {
  const { t } = useT();
  return (
    <div className="table-wrap">
      <table className="table rules-table">
        <caption className="sr-only">{t('rules.list')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('rules.col.on')}</th>
            <th scope="col">{t('rules.col.name')}</th>
            <th scope="col">{t('rules.col.does')}</th>
            <th scope="col">{t('rules.col.conditions')}</th>
            <th scope="col">{t('rules.col.today')}</th>
            <th scope="col">
              <span className="sr-only">{t('common.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <RuleRow key={r.id} rule={r} currency={currency} onRemove={onRemove} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

// eslint-disable-next-line max-lines-per-function -- a React screen: its hooks stay in one body, and most of its length is the rules table's JSX
export function RulesScreen() {
  const { t } = useT();
  const q = useQuery('rules.list', {}, ['rules', 'intents']);
  const currency = useApp((s) => s.session?.tenant?.displayCurrency ?? 'USD');
  const toast = useApp((s) => s.toast);
  const [removing, setRemoving] = useState<RuleView | null>(null);
  const [busy, setBusy] = useState(false);
  const paused = q.data?.paused ?? false;

  const setPaused = async (next: boolean) => {
    setBusy(true);
    try {
      await api.call('rules.setPaused', { paused: next });
      toast({ kind: 'success', message: t(next ? 'rules.pausedToast' : 'rules.resumedToast') });
      q.reload();
    } catch (err) {
      toast({ kind: 'error', message: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!removing) return;
    try {
      await api.call('rules.remove', { id: removing.id });
      toast({ kind: 'success', message: t('rules.removed', { name: removing.name }) });
      q.reload();
    } catch (err) {
      toast({ kind: 'error', message: errorText(t, err) });
    } finally {
      setRemoving(null);
    }
  };

  let list;
  if (q.loading && !q.data) list = <Loading />;
  else if (q.error && !q.data) list = <ErrorState error={q.error} onRetry={q.reload} />;
  else if (!q.data || q.data.rules.length === 0) list = <Empty>{t('rules.empty')}</Empty>;
  else list = <RulesTable rules={q.data.rules} currency={currency} onRemove={setRemoving} />;

  return (
    <div className="page">
      <PageHeader title={t('rules.title')} sub={t('rules.intro')}>
        <button type="button" className={paused ? 'btn btn-primary' : 'btn'} aria-pressed={paused} disabled={busy || !q.data} onClick={() => void setPaused(!paused)}>
          {paused ? t('rules.resume') : t('rules.pause')}
        </button>
        <RulesTransfer count={q.data?.rules.length ?? 0} writable={q.data?.writable ?? false} onImported={q.reload} />
      </PageHeader>
      {q.data && !q.data.writable && (
        <p className="notice notice-warning" role="status">
          {t('rules.readOnly')}
        </p>
      )}
      {paused && (
        <p className="notice notice-warning" role="status">
          {t('rules.paused')}
        </p>
      )}
      <section className="card" aria-label={t('rules.list')}>
        {list}
      </section>
      <RuleForm currency={currency} onSaved={q.reload} />
      {removing && (
        <Dialog
          title={t('rules.removeTitle', { name: removing.name })}
          onClose={() => setRemoving(null)}
          describedBy="rules-remove-desc"
          footer={
            <>
              <button type="button" className="btn" data-autofocus onClick={() => setRemoving(null)}>
                {t('common.cancel')}
              </button>
              <button type="button" className="btn btn-danger" onClick={() => void remove()}>
                {t('rules.remove')}
              </button>
            </>
          }
        >
          <p id="rules-remove-desc">{t('rules.removeExplain')}</p>
        </Dialog>
      )}
    </div>
  );
}
