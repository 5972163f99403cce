/** Steps 3 and 4 of the import wizard: what was read (file, mapping, counts, every problem) and the commit. */
import { useEffect, useRef, useState } from 'react';
import type { ImportCheckResult, ImportFieldName, ImportPlanAction, ImportProgressEvent } from '../../../../shared/contract/types.ts';
import { api } from '../../api.ts';
import { errorText } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { downloadText } from '../../lib/download.ts';
import { useApp } from '../../store/app.ts';
import { ChangesCard, UnpublishConfirm } from './ChangesCard.tsx';
import { MappingCard } from './MappingCard.tsx';
import { RowsTable } from './RowsTable.tsx';
import type { Upload } from './UploadStep.tsx';
import { CheckProgress } from './UploadStep.tsx';
import { formatBytes } from '../../lib/format.ts';
import { delimiterLabel } from './text.ts';

/** How each encoding the importer reads is named (the same in every language). */
export const encodingLabels = { 'utf-8': 'UTF-8', 'windows-1252': 'Windows-1252', 'utf-16le': 'UTF-16 LE', 'utf-16be': 'UTF-16 BE' } as const;

/** Steps 3 and 4 as one component: the commit button's state depends on everything the review shows. */
// eslint-disable-next-line max-lines-per-function -- steps 3 and 4 as one component: the commit button's state depends on everything the review shows
export function ReviewStep(props: {
  result: ImportCheckResult;
  upload: Upload;
  stale: boolean;
  mapping: Record<string, ImportFieldName | null>;
  onMapping: (m: Record<string, ImportFieldName | null>) => void;
  onCommitted: (batchId: string) => void;
  onCancel: () => void;
  takeFocus: () => boolean;
}) {
  const { t, locale } = useT();
  const toast = useApp((s) => s.toast);
  const v = props.result.view;
  const [committing, setCommitting] = useState(false);
  const [commitError, setCommitError] = useState<unknown>(null);
  const [progress, setProgress] = useState<ImportProgressEvent | null>(null);
  const [allowUnpublish, setAllowUnpublish] = useState(false);
  const readOnlyReason = useApp((s) => (s.session && !s.session.writable ? s.session.readOnlyReason : null));
  useEffect(() => api.on('import.progress', (p) => p.token === props.result.token && setProgress(p)), [props.result.token]);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const { takeFocus } = props;
  useEffect(() => {
    if (takeFocus()) {
      headingRef.current?.focus({ preventScroll: true });
      headingRef.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
    }
  }, [takeFocus]);

  const missing = v.mapping?.missingRequired ?? [];
  const blocked = v.errorCount > 0 || !v.ok;
  const commit = async () => {
    setCommitting(true);
    setCommitError(null);
    try {
      const r = await api.call('import.commit', { token: props.result.token, ...(allowUnpublish ? { allowUnpublish: true } : {}) });
      toast({ kind: 'success', message: t('import.committed', { created: r.created, updated: r.updated }) });
      props.onCommitted(r.batchId);
    } catch (err) {
      setCommitError(err);
    } finally {
      setCommitting(false);
      setProgress(null);
    }
  };
  const report = async () => {
    try {
      const r = await api.call('import.errorReport', { token: props.result.token });
      downloadText(`${props.result.fileName.replace(/\.[^.]+$/, '')}-problems.csv`, r.csv, 'text/csv;charset=utf-8');
    } catch (err) {
      toast({ kind: 'error', message: errorText(t, err) });
    }
  };
  const c = v.preview.counts;
  const nf = new Intl.NumberFormat(locale);
  // Nothing to write: no offering changes and (as far as the samples show) no rule changes.
  const samples = v.preview.samples;
  const sampled = c.offerings.unchanged <= samples.unchanged.length;
  const needsConfirm = v.unpublishes.length > 0 && !allowUnpublish;
  const nothingToDo = c.offerings.create + c.offerings.update === 0 && sampled && ![...samples.create, ...samples.update, ...samples.unchanged].some((p) => p.rulesChanged);
  return (
    <>
      <section className="card" aria-labelledby="imp-file" aria-busy={props.stale}>
        <h2 id="imp-file" className="h2" tabIndex={-1} ref={headingRef}>
          {t('import.step3')}
        </h2>
        <dl className="import-facts">
          <div>
            <dt>{t('import.file')}</dt>
            <dd>
              {props.result.fileName} · {formatBytes(v.bytes || props.upload.size, locale)} · {t('import.rowsRead', { n: v.rows })}
            </dd>
          </div>
          <div>
            <dt>{t('import.encoding')}</dt>
            <dd>
              {encodingLabels[v.decode.encoding]}
              {v.decode.bom ? ` ${t('import.withBom')}` : ''}
              {v.decode.fellBack && <span className="chip chip-warn import-chip">{t('import.fellBack')}</span>}
            </dd>
          </div>
          <div>
            <dt>{t('import.delimiter')}</dt>
            <dd>
              {delimiterLabel(t, v.delimiter)} <span className="muted">({v.delimiterDetected ? t('import.detected') : t('import.chosenByYou')})</span>
            </dd>
          </div>
        </dl>
        {v.decode.fellBack && <p className="notice notice-warning">{t('import.fellBackHint')}</p>}
      </section>

      {v.mapping && <MappingCard view={v} mapping={props.mapping} onMapping={props.onMapping} busy={props.stale} />}

      <section className="card" aria-labelledby="imp-preview">
        <h2 id="imp-preview" className="h2">
          {t('import.preview')}
        </h2>
        <ul className="import-counts" aria-label={t('import.preview')}>
          <CountTile kind="create" n={c.offerings.create} label={t('import.count.create')} />
          <CountTile kind="update" n={c.offerings.update} label={t('import.count.update')} />
          <CountTile kind="unchanged" n={c.offerings.unchanged} label={t('import.count.unchanged')} />
          <CountTile kind="error" n={c.offerings.error} label={t('import.count.error')} />
        </ul>
        <p className="muted">{t('import.countsLine', { rules: nf.format(c.rules), errors: nf.format(v.errorCount), warnings: nf.format(v.warningCount) })}</p>
        <RowsTable view={v} />
      </section>

      <ChangesCard view={v} />

      <section className="card" aria-labelledby="imp-commit">
        <h2 id="imp-commit" className="h2">
          {t('import.step4')}
        </h2>
        {missing.length > 0 ? (
          <p className="notice notice-danger">{t('import.missingRequired', { fields: missing.join(', ') })}</p>
        ) : blocked ? (
          <p className="notice notice-danger" id="imp-blocked">
            {t('import.blocked', { n: v.errorCount })}
          </p>
        ) : nothingToDo ? (
          <p>{t('import.nothingToDo')}</p>
        ) : (
          <p>{t('import.ready', { create: t('import.ready.create', { n: c.offerings.create }), update: t('import.ready.update', { n: c.offerings.update }) })}</p>
        )}
        <p className="muted">{t('import.availabilityNote')}</p>
        {!blocked && <UnpublishConfirm view={v} checked={allowUnpublish} onChange={setAllowUnpublish} />}
        {readOnlyReason !== null && (
          <p className="notice notice-warning" id="imp-readonly">
            {t('import.readOnly')}
          </p>
        )}
        {committing && progress && <CheckProgress progress={progress} />}
        {commitError !== null && (
          <p className="notice notice-danger" role="alert">
            {errorText(t, commitError)}
          </p>
        )}
        <div className="card-actions">
          {(v.errorCount > 0 || v.warningCount > 0) && (
            <button type="button" className="btn" onClick={() => void report()}>
              {t('import.downloadReport')}
            </button>
          )}
          <button type="button" className="btn btn-ghost" onClick={props.onCancel} disabled={committing}>
            {t('import.startOver')}
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void commit()} disabled={blocked || committing || props.stale || nothingToDo || needsConfirm || readOnlyReason !== null} aria-describedby={blocked ? 'imp-blocked' : readOnlyReason !== null ? 'imp-readonly' : undefined}>
            {committing ? t('import.committing') : t('import.commit', { n: c.offerings.create + c.offerings.update })}
          </button>
        </div>
      </section>
    </>
  );
}

function CountTile({ kind, n, label }: { kind: ImportPlanAction; n: number; label: string }) {
  const { locale } = useT();
  return (
    <li className={`import-count import-count-${kind}${n === 0 ? ' import-count-zero' : ''}`}>
      <span className="import-count-n">{new Intl.NumberFormat(locale).format(n)}</span>
      <span className="import-count-label">{label}</span>
    </li>
  );
}
