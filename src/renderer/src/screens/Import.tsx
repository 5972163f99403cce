/**
 * Catalogue → Import: the CSV bulk import wizard (issue "CSV bulk import").
 *
 * Upload (file chooser or drop) → the core checks it (progress from `import.progress`) → the user
 * reviews encoding, delimiter, the column mapping, counts and every problem (line + column) → commit
 * (disabled while there are errors) → the batch's status: what the server has and has not accepted,
 * availability that stays on this machine (v1 has no availability write endpoint), resume / roll back.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { DragEvent } from 'react';
import type { ImportAnalysisView, ImportBatchItemState, ImportBatchStatusView, ImportCheckResult, ImportColumnHelp, ImportFieldName, ImportIssueView, ImportPlanAction, ImportPlannedOfferingView, ImportProgressEvent } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { Dialog, Empty, ErrorState, Loading, errorText } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import type { MessageKey, T } from '../i18n/index.ts';
import { importFieldNames } from '../../../shared/contract/types.ts';
import { coreText } from '../lib/coreMessage.ts';
import { formatDateTime, formatMoney } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp } from '../store/app.ts';
import './extras.css';

const fieldNames: readonly ImportFieldName[] = importFieldNames;

type Encoding = 'auto' | 'utf-8' | 'windows-1252';
type DelimiterChoice = 'auto' | ',' | ';' | '\t';

interface Upload {
  name: string;
  size: number;
  base64: string;
}

/** Saves text as a file through a temporary link (works in Electron and in the browser). */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.onload = () => {
      const s = String(reader.result ?? '');
      resolve(s.slice(s.indexOf(',') + 1));
    };
    reader.readAsDataURL(file);
  });
}

function formatBytes(n: number, locale: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return new Intl.NumberFormat(locale, { style: 'unit', unit: units[i], unitDisplay: i === 0 ? 'long' : 'short', maximumFractionDigits: i === 0 ? 0 : 1 }).format(v);
}

function delimiterLabel(t: T, d: string): string {
  return d === ',' ? t('import.delim.comma') : d === ';' ? t('import.delim.semicolon') : d === '\t' ? t('import.delim.tab') : d;
}

function requiredLabel(t: T, r: ImportColumnHelp['required']): string {
  return t(`import.required.${r === 'new offering' ? 'new' : r === 'availability row' ? 'rule' : r}` as MessageKey);
}

/** The problem in the user's language, without location (the UI shows the location itself). */
function issueText(t: T, locale: string, i: ImportIssueView): string {
  // Without a code (an older core behind the bridge): the English message minus its location prefix.
  const english = i.message.replace(/^(line \d+(, (column "(?:[^"]|"")*" \([A-Z]+\)|[a-z_]+))?|file): /, '');
  return coreText(i.problem, english, { t, locale });
}

function issueWhere(t: T, i: ImportIssueView): string {
  if (i.line === null) return t('import.where.file');
  if (i.columnLetter) return t('import.where.cell', { line: i.line, letter: i.columnLetter, column: i.column ?? '' });
  return t('import.where.row', { line: i.line });
}

// ------------------------------------------------------------------------------------------ screen

export function ImportTab() {
  const [upload, setUpload] = useState<Upload | null>(null);
  const [encoding, setEncoding] = useState<Encoding>('auto');
  const [delimiter, setDelimiter] = useState<DelimiterChoice>('auto');
  const [mapping, setMapping] = useState<Record<string, ImportFieldName | null>>({});
  const [checked, setChecked] = useState<ImportCheckResult | null>(null);
  const [checking, setChecking] = useState(false);
  const [progress, setProgress] = useState<ImportProgressEvent | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [batchId, setBatchId] = useState<string | null>(null);
  const requestRef = useRef<string>('');
  const seq = useRef(0);
  /** Set when a new file is chosen: its review takes the focus once (not on re-checks). */
  const focusReview = useRef(false);

  useEffect(
    () =>
      api.on('import.progress', (p) => {
        if ((p.requestId && p.requestId === requestRef.current) || (p.token && p.token === checked?.token)) setProgress(p);
      }),
    [checked?.token],
  );

  const runCheck = useCallback(async (file: Upload, opts: { encoding: Encoding; delimiter: DelimiterChoice; mapping: Record<string, ImportFieldName | null> }) => {
    const mine = ++seq.current;
    const requestId = `chk-${Date.now()}-${mine}`;
    requestRef.current = requestId;
    setChecking(true);
    setError(null);
    setProgress({ requestId, token: null, phase: 'parse', bytesProcessed: 0, bytesTotal: file.size, rows: 0 });
    try {
      const r = await api.call('import.check', {
        fileName: file.name,
        contentBase64: file.base64,
        requestId,
        ...(opts.encoding !== 'auto' ? { encoding: opts.encoding } : {}),
        ...(opts.delimiter !== 'auto' ? { delimiter: opts.delimiter } : {}),
        ...(Object.keys(opts.mapping).length ? { mapping: opts.mapping } : {}),
      });
      if (mine === seq.current) setChecked(r);
    } catch (err) {
      if (mine === seq.current) setError(err);
    } finally {
      if (mine === seq.current) {
        setChecking(false);
        setProgress(null);
      }
    }
  }, []);

  const choose = async (file: File) => {
    focusReview.current = true;
    setBatchId(null);
    setChecked(null);
    setMapping({});
    setError(null);
    setChecking(true);
    try {
      const next = { name: file.name, size: file.size, base64: await readBase64(file) };
      setUpload(next);
      await runCheck(next, { encoding, delimiter, mapping: {} });
    } catch (err) {
      setChecking(false);
      setError(err);
    }
  };

  const recheck = (change: Partial<{ encoding: Encoding; delimiter: DelimiterChoice; mapping: Record<string, ImportFieldName | null> }>) => {
    const next = { encoding, delimiter, mapping, ...change };
    setEncoding(next.encoding);
    setDelimiter(next.delimiter);
    setMapping(next.mapping);
    if (upload) void runCheck(upload, next);
  };

  const reset = () => {
    seq.current++;
    setUpload(null);
    setChecked(null);
    setMapping({});
    setEncoding('auto');
    setDelimiter('auto');
    setError(null);
    setChecking(false);
    setProgress(null);
    setBatchId(null);
  };

  return (
    <div className="stack import">
      {batchId ? (
        <BatchStatusPanel batchId={batchId} onNew={reset} />
      ) : (
        <>
          <TemplateCard />
          <UploadCard upload={upload} busy={checking} onFile={(f) => void choose(f)} encoding={encoding} delimiter={delimiter} onEncoding={(e) => recheck({ encoding: e })} onDelimiter={(d) => recheck({ delimiter: d })} />
          {checking && progress && <CheckProgress progress={progress} />}
          {error !== null && !checking && <ErrorState error={error} onRetry={upload ? () => void runCheck(upload, { encoding, delimiter, mapping }) : undefined} />}
          {checked && upload && (
            <Review
              key={checked.token}
              result={checked}
              upload={upload}
              stale={checking}
              mapping={mapping}
              onMapping={(m) => recheck({ mapping: m })}
              onCommitted={(id) => setBatchId(id)}
              takeFocus={() => {
                const v = focusReview.current;
                focusReview.current = false;
                return v;
              }}
              onCancel={reset}
            />
          )}
        </>
      )}
      <PastImports current={batchId} onOpen={(id) => setBatchId(id)} />
    </div>
  );
}

// ------------------------------------------------------------------------------------------ step 1: template

function TemplateCard() {
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

// ------------------------------------------------------------------------------------------ step 2: upload

function UploadCard(props: {
  upload: Upload | null;
  busy: boolean;
  onFile: (f: File) => void;
  encoding: Encoding;
  delimiter: DelimiterChoice;
  onEncoding: (e: Encoding) => void;
  onDelimiter: (d: DelimiterChoice) => void;
}) {
  const { t, locale } = useT();
  const [over, setOver] = useState(false);
  const inputId = useId();
  const hintId = useId();
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const f = e.dataTransfer.files[0];
    if (f) props.onFile(f);
  };
  return (
    <section className="card" aria-labelledby="imp-upload">
      <h2 id="imp-upload" className="h2">
        {t('import.step2')}
      </h2>
      <div
        className={over ? 'dropzone dropzone-over' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <span className="dropzone-icon" aria-hidden="true">
          ⇪
        </span>
        <p className="dropzone-text">{t('import.dropHere')}</p>
        <input
          id={inputId}
          type="file"
          className="file-input"
          accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values"
          aria-describedby={hintId}
          disabled={props.busy}
          onChange={(e) => {
            const f = e.currentTarget.files?.[0];
            if (f) props.onFile(f);
            e.currentTarget.value = '';
          }}
        />
        <label htmlFor={inputId} className={props.busy ? 'btn btn-primary file-button file-button-disabled' : 'btn btn-primary file-button'}>
          {t('import.chooseFile')}
        </label>
        <p id={hintId} className="field-hint">
          {props.upload ? t('import.chosen', { name: props.upload.name, size: formatBytes(props.upload.size, locale) }) : t('import.fileHint')}
        </p>
      </div>
      <div className="filters import-options">
        <label className="filter">
          {t('import.encoding')}
          <select value={props.encoding} onChange={(e) => props.onEncoding(e.currentTarget.value as Encoding)} disabled={props.busy}>
            <option value="auto">{t('import.auto')}</option>
            <option value="utf-8">UTF-8</option>
            <option value="windows-1252">Windows-1252</option>
          </select>
        </label>
        <label className="filter">
          {t('import.delimiter')}
          <select value={props.delimiter} onChange={(e) => props.onDelimiter(e.currentTarget.value as DelimiterChoice)} disabled={props.busy}>
            <option value="auto">{t('import.auto')}</option>
            <option value=",">{t('import.delim.comma')}</option>
            <option value=";">{t('import.delim.semicolon')}</option>
            <option value={'\t'}>{t('import.delim.tab')}</option>
          </select>
        </label>
      </div>
    </section>
  );
}

function CheckProgress({ progress }: { progress: ImportProgressEvent }) {
  const { t, locale } = useT();
  const pct = progress.bytesTotal > 0 ? Math.min(100, Math.round((progress.bytesProcessed / progress.bytesTotal) * 100)) : 0;
  const label = progress.phase === 'commit' ? t('import.progress.commit') : t('import.progress.parse');
  return (
    <div className="card import-progress" role="status" aria-live="polite">
      <div className="card-head">
        <strong>{label}</strong>
        <span className="muted">{t('import.progress.detail', { pct, rows: new Intl.NumberFormat(locale).format(progress.rows) })}</span>
      </div>
      <progress className="import-bar" max={100} value={pct} aria-label={label} />
    </div>
  );
}

// ------------------------------------------------------------------------------------------ step 3: review

function Review(props: {
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
      const r = await api.call('import.commit', { token: props.result.token });
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
              {v.decode.encoding === 'utf-8' ? 'UTF-8' : 'Windows-1252'}
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
        <Rows view={v} />
      </section>

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
          <button type="button" className="btn btn-primary" onClick={() => void commit()} disabled={blocked || committing || props.stale || nothingToDo} aria-describedby={blocked ? 'imp-blocked' : undefined}>
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

function methodLabel(t: T, method: string, confidence: number, locale: string): string {
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(confidence);
  return method === 'none' ? t('import.method.none') : t('import.method.with', { method: t(`import.method.${method}` as MessageKey), pct });
}

function MappingCard({ view, mapping, onMapping, busy }: { view: ImportAnalysisView; mapping: Record<string, ImportFieldName | null>; onMapping: (m: Record<string, ImportFieldName | null>) => void; busy: boolean }) {
  const { t, locale } = useT();
  const m = view.mapping!;
  const required = new Set<ImportFieldName>(['slug', 'title', 'product_type', 'base_price', 'currency']);
  return (
    <section className="card import-mapping" aria-labelledby="imp-mapping">
      <h2 id="imp-mapping" className="h2">
        {t('import.mapping')}
      </h2>
      <p className="muted">{t('import.mappingHint')}</p>
      {m.missingRequired.length > 0 && (
        <p className="notice notice-danger" role="alert">
          {t('import.missingRequired', { fields: m.missingRequired.join(', ') })}
        </p>
      )}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('import.col.letter')}</th>
              <th scope="col">{t('import.col.header')}</th>
              <th scope="col">{t('import.col.mappedTo')}</th>
              <th scope="col">{t('import.col.how')}</th>
            </tr>
          </thead>
          <tbody>
            {m.columns.map((c) => (
              <tr key={c.index}>
                <td>{c.letter}</td>
                <th scope="row" className="import-header-cell">
                  {c.header || <span className="muted">{t('import.emptyHeader')}</span>}
                </th>
                <td>
                  <select
                    aria-label={t('import.mapColumn', { header: c.header || c.letter })}
                    value={c.field ?? ''}
                    disabled={busy}
                    onChange={(e) => {
                      const value = e.currentTarget.value;
                      onMapping({ ...mapping, [c.header]: value ? (value as ImportFieldName) : null });
                    }}
                  >
                    <option value="">{t('import.ignore')}</option>
                    {fieldNames.map((f) => (
                      <option key={f} value={f}>
                        {f}
                        {required.has(f) ? ' *' : ''}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <span className={`chip import-method-${c.method}`}>{methodLabel(t, c.method, c.confidence, locale)}</span>
                  {c.note && c.method === 'none' && <span className="muted small import-note">{coreText(c.noteMessage, c.note === 'unknown column' ? t('import.note.unknown') : c.note === 'ignored by choice' ? t('import.note.byChoice') : c.note, { t, locale })}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="small muted">{t('import.requiredLegend')}</p>
      {m.ignored.length > 0 && <p>{t('import.ignoredList', { list: m.ignored.map((h) => `“${h}”`).join(', ') })}</p>}
      {Object.keys(mapping).length > 0 && (
        <div className="card-actions">
          <button type="button" className="btn btn-small" onClick={() => onMapping({})} disabled={busy}>
            {t('import.resetMapping')}
          </button>
        </div>
      )}
    </section>
  );
}

interface RowEntry {
  line: number;
  plan: ImportPlannedOfferingView | null;
  issues: ImportIssueView[];
}

function Rows({ view }: { view: ImportAnalysisView }) {
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

// ------------------------------------------------------------------------------------------ step 5: batch status

const stateKeys: readonly ImportBatchItemState[] = ['sent', 'queued', 'paused', 'refused', 'discarded', 'unchanged'];

function BatchStatusPanel({ batchId, onNew }: { batchId: string; onNew: () => void }) {
  const { t } = useT();
  const q = useQuery('import.status', { batchId }, ['intents', 'offerings', 'conflicts']);
  if (q.loading && !q.data) return <Loading />;
  if (q.error && !q.data) return <ErrorState error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Empty>{t('import.batchGone')}</Empty>;
  return <BatchStatusView status={q.data} onNew={onNew} />;
}

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

function PastImports({ current, onOpen }: { current: string | null; onOpen: (id: string) => void }) {
  const { t, locale } = useT();
  const tz = useApp((s) => s.session?.tenant?.timezone ?? 'UTC');
  const q = useQuery('import.batches', {}, ['intents', 'offerings', 'conflicts']);
  const list = q.data ?? [];
  if (!list.length) return null;
  return (
    <section className="card" aria-labelledby="imp-past">
      <h2 id="imp-past" className="h2">
        {t('import.past')}
      </h2>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('import.file')}</th>
              <th scope="col">{t('import.col.when')}</th>
              <th scope="col">{t('import.col.result')}</th>
              <th scope="col">{t('import.col.state')}</th>
              <th scope="col">
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.slice(0, 20).map((b) => (
              <tr key={b.id} aria-current={b.id === current ? 'true' : undefined}>
                <td>{b.fileName}</td>
                <td>{formatDateTime(b.createdAt, tz, locale)}</td>
                <td>{t('import.batchLine', { created: b.created, updated: b.updated, rules: b.rules })}</td>
                <td>{t(`import.batchState.${b.state === 'paused' || b.state === 'rolled_back' ? b.state : 'committed'}` as MessageKey)}</td>
                <td>
                  <button type="button" className="btn btn-small" onClick={() => onOpen(b.id)} disabled={b.id === current} aria-label={t('import.openBatch', { file: b.fileName })}>
                    {t('common.open')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
