/** The rows of a checked file with what the import will do to each and its problems (line and column). */
import { useId, useMemo, useState } from 'react';
import type { ImportAnalysisView, ImportIssueView, ImportPlanAction, ImportPlannedOfferingView } from '../../../../shared/contract/types.ts';
import { Empty } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import type { MessageKey, T } from '../../i18n/index.ts';
import { formatMoney } from '../../lib/format.ts';
import { issueText, issueWhere } from './text.ts';

interface RowEntry {
  line: number;
  plan: ImportPlannedOfferingView | null;
  issues: ImportIssueView[];
}

/** File-level problems, the "only rows with problems" filter and the table (at most 500 rows; the report has all). */
// eslint-disable-next-line max-lines-per-function -- a React table: its hooks stay in one body, and most of its length is the rows' JSX
export function RowsTable({ view }: { view: ImportAnalysisView }) {
  const { t, locale } = useT();
  const [onlyProblems, setOnlyProblems] = useState(view.errorCount > 0);
  const filterId = useId();
  const { fileIssues, rows } = useMemo(() => {
    const byLine = new Map<number, RowEntry>();
    const fileIssues: ImportIssueView[] = [];
    for (const i of view.issues) {
      if (i.line === null) {
        // The encoding fallback is already explained (translated) next to the detected encoding.
        if (!(i.code === 'file.encoding' && i.severity === 'warning' && view.decode.fellBack)) fileIssues.push(i);
        continue;
      }
      const e = byLine.get(i.line) ?? { line: i.line, plan: null, issues: [] };
      e.issues.push(i);
      byLine.set(i.line, e);
    }
    const s = view.preview.samples;
    for (const p of [...s.create, ...s.update, ...s.unchanged, ...s.error]) {
      const e = byLine.get(p.line) ?? { line: p.line, plan: null, issues: [] };
      e.plan = p;
      byLine.set(p.line, e);
    }
    return { fileIssues, rows: [...byLine.values()].sort((a, b) => a.line - b.line) };
  }, [view]);
  const shown = (onlyProblems ? rows.filter((r) => r.issues.length > 0 || r.plan?.action === 'error') : rows).slice(0, 500);
  const actionLabel = (a: ImportPlanAction) => t(`import.action.${a}` as MessageKey);
  return (
    <>
      {fileIssues.length > 0 && (
        <ul className="import-file-issues">
          {fileIssues.map((i, n) => (
            <li key={n} className={i.severity === 'error' ? 'notice notice-danger' : 'notice notice-warning'}>
              <strong>{i.severity === 'error' ? t('import.error') : t('import.warning')}:</strong> {issueText(t, locale, i)}
            </li>
          ))}
        </ul>
      )}
      <div className="toolbar import-rows-bar">
        <label className="check" htmlFor={filterId}>
          <input id={filterId} type="checkbox" checked={onlyProblems} onChange={(e) => setOnlyProblems(e.currentTarget.checked)} />
          {t('import.onlyProblems')}
        </label>
        <span className="muted small">{t('import.rowsShown', { shown: shown.length, n: rows.length })}</span>
      </div>
      {shown.length === 0 ? (
        <Empty>{onlyProblems ? t('import.noProblems') : t('import.noRows')}</Empty>
      ) : (
        <div className="table-wrap import-rows" tabIndex={0} role="region" aria-label={t('import.rowsCaption')}>
          <table className="table">
            <caption className="sr-only">{t('import.rowsCaption')}</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  {t('import.col.line')}
                </th>
                <th scope="col">{t('import.col.slug')}</th>
                <th scope="col">{t('import.col.action')}</th>
                <th scope="col">{t('import.col.what')}</th>
                <th scope="col">{t('import.col.problems')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.line} className={r.issues.some((i) => i.severity === 'error') ? 'import-row-error' : undefined}>
                  <td className="num">{r.line}</td>
                  <td>{r.plan ? <code className="code">{r.plan.slug}</code> : <span className="muted">—</span>}</td>
                  <td>{r.plan ? <span className={`chip import-action-${r.plan.action}`}>{actionLabel(r.plan.action)}</span> : <span className="muted">—</span>}</td>
                  <td>{r.plan ? <PlanSummary plan={r.plan} locale={locale} t={t} /> : <span className="muted">{r.line === 1 ? t('import.headerRow') : '—'}</span>}</td>
                  <td>
                    {r.issues.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      <ul className="import-issues">
                        {r.issues.map((i, n) => (
                          <li key={n} className={`import-issue import-issue-${i.severity}`}>
                            <span className="import-issue-where">
                              <span className="sr-only">{i.severity === 'error' ? t('import.error') : t('import.warning')}: </span>
                              {issueWhere(t, i)}
                            </span>{' '}
                            {issueText(t, locale, i)}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {view.issuesDropped > 0 && <p className="small muted">{t('import.issuesDropped', { n: view.issuesDropped })}</p>}
    </>
  );
}

function PlanSummary({ plan, locale, t }: { plan: ImportPlannedOfferingView; locale: string; t: T }) {
  const f = plan.fields;
  const parts: string[] = [];
  if (f.title) parts.push(f.title);
  if (f.basePriceCents !== undefined && f.currency) parts.push(formatMoney(f.basePriceCents, f.currency, locale));
  if (plan.action === 'update') parts.push(t('import.changedFields', { fields: Object.keys(f).join(', ') }));
  if (plan.rules) parts.push(t('import.rulesN', { n: plan.rules.length }));
  return <span>{parts.join(' · ') || <span className="muted">—</span>}</span>;
}
