/** Step 1 of the import wizard: the template to start from and what each column means. */
import { useT } from '../../i18n/index.ts';
import { ErrorState, Loading } from '../../components/ui.tsx';
import { downloadText } from '../../lib/download.ts';
import { useQuery } from '../../lib/useQuery.ts';
import { useApp } from '../../store/app.ts';
import { requiredLabel } from './text.ts';

export function TemplateStep() {
  const { t, lang } = useT();
  const toast = useApp((s) => s.toast);
  const q = useQuery('import.template', { language: lang }, []);
  const download = () => {
    if (q.data) downloadText('orkestr-catalogue-template.csv', q.data.csv, 'text/csv;charset=utf-8');
    else toast({ kind: 'error', message: t('import.templateFailed') });
  };
  return (
    <section className="card" aria-labelledby="imp-template">
      <div className="card-head">
        <h2 id="imp-template" className="h2">
          {t('import.step1')}
        </h2>
        <button type="button" className="btn" onClick={download} disabled={!q.data}>
          {t('import.downloadTemplate')}
        </button>
      </div>
      <p className="muted">{t('import.templateHint')}</p>
      <details className="import-details">
        <summary>{t('import.columnGuide')}</summary>
        {q.error ? (
          <ErrorState error={q.error} onRetry={q.reload} />
        ) : !q.data ? (
          <Loading />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">{t('import.columnGuide')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('import.col.column')}</th>
                  <th scope="col">{t('import.col.required')}</th>
                  <th scope="col">{t('import.col.description')}</th>
                  <th scope="col">{t('import.col.example')}</th>
                </tr>
              </thead>
              <tbody>
                {q.data.columns.map((c) => (
                  <tr key={c.name}>
                    <td>
                      <code className="code">{c.name}</code>
                    </td>
                    <td>{requiredLabel(t, c.required)}</td>
                    <td>{c.description}</td>
                    <td>{c.example ? <code className="code">{c.example}</code> : <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </details>
    </section>
  );
}
