/** Step 2 of the import wizard: choose or drop the file, encoding and delimiter overrides, the check's progress. */
import { useId, useState } from 'react';
import type { DragEvent } from 'react';
import type { ImportProgressEvent } from '../../../../shared/contract/types.ts';
import { useT } from '../../i18n/index.ts';
import { formatBytes } from '../../lib/format.ts';

export type Encoding = 'auto' | 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';
export type DelimiterChoice = 'auto' | ',' | ';' | '\t';

/** The chosen file, read once: re-checks with other options reuse its bytes. */
export interface Upload {
  name: string;
  size: number;
  base64: string;
}

// eslint-disable-next-line max-lines-per-function -- a React step: its hooks stay in one body, and most of its length is the drop zone and options' JSX
export function UploadStep(props: {
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
            <option value="utf-16le">UTF-16 LE</option>
            <option value="utf-16be">UTF-16 BE</option>
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

export function CheckProgress({ progress }: { progress: ImportProgressEvent }) {
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
