/**
 * Catalogue → Import: the CSV bulk import wizard (issue "CSV bulk import").
 *
 * Upload (file chooser or drop) → the core checks it (progress from `import.progress`) → the user
 * reviews encoding, delimiter, the column mapping, counts and every problem (line + column) → commit
 * (disabled while there are errors) → the batch's status: what the server has and has not accepted,
 * availability that stays on this machine (v1 has no availability write endpoint), resume / roll back.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ImportCheckResult, ImportFieldName, ImportProgressEvent } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { ErrorState } from '../components/ui.tsx';
import { readBase64 } from '../lib/download.ts';
import { BatchStatusPanel } from './import/BatchStatus.tsx';
import { PastImports } from './import/PastImports.tsx';
import { ReviewStep } from './import/ReviewStep.tsx';
import { TemplateStep } from './import/TemplateStep.tsx';
import { CheckProgress, UploadStep } from './import/UploadStep.tsx';
import type { DelimiterChoice, Encoding, Upload } from './import/UploadStep.tsx';
import './import/import.css';

/**
 * The wizard's state, shared by its steps: the chosen file and the options it is checked with,
 * the check's answer and progress, the committed batch. (Long because the steps' handlers read and
 * set the same state; the steps themselves are in ./import/.)
 */
// eslint-disable-next-line max-lines-per-function -- the steps' handlers read and set the same state (see the comment above); the steps are in ./import/
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
          <TemplateStep />
          <UploadStep upload={upload} busy={checking} onFile={(f) => void choose(f)} encoding={encoding} delimiter={delimiter} onEncoding={(e) => recheck({ encoding: e })} onDelimiter={(d) => recheck({ delimiter: d })} />
          {checking && progress && <CheckProgress progress={progress} />}
          {error !== null && !checking && <ErrorState error={error} onRetry={upload ? () => void runCheck(upload, { encoding, delimiter, mapping }) : undefined} />}
          {checked && upload && (
            <ReviewStep
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
