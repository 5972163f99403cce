/**
 * Rules as a file (#17): export every rule as the versioned JSON document the CLI also reads
 * (`rules export`/`rules import`), and import one. Imported rules arrive switched off, like rules made
 * in the form: an approving rule from someone else's machine is previewed here before it acts.
 */
import { useId, useRef, useState } from 'react';
import type { RulesDocument } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { Dialog, errorText } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { downloadText } from '../lib/download.ts';
import { useApp } from '../store/app.ts';

interface Pending {
  fileName: string;
  document: RulesDocument;
}

// eslint-disable-next-line max-lines-per-function -- the export button, the file choice and the import confirmation dialog share the pending document and busy flag
export function RulesTransfer({ count, writable, onImported }: { count: number; writable: boolean; onImported: () => void }) {
  const { t } = useT();
  const toast = useApp((s) => s.toast);
  const input = useRef<HTMLInputElement>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [replace, setReplace] = useState(false);
  const [busy, setBusy] = useState(false);
  const replaceId = useId();

  const exportRules = async () => {
    try {
      const doc = await api.call('rules.export', {});
      downloadText('orkestr-console-rules.json', `${JSON.stringify(doc, null, 2)}\n`, 'application/json');
    } catch (err) {
      toast({ kind: 'error', message: errorText(t, err) });
    }
  };

  const chosen = async (file: File | undefined) => {
    if (!file) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch (err) {
      toast({ kind: 'error', message: t('rules.transfer.notJson', { file: file.name, detail: err instanceof Error ? err.message : String(err) }) });
      return;
    }
    const doc = parsed as Partial<RulesDocument> | null;
    if (!doc || typeof doc !== 'object' || !Array.isArray(doc.rules)) {
      toast({ kind: 'error', message: t('rules.transfer.notRules', { file: file.name }) });
      return;
    }
    setReplace(false);
    setPending({ fileName: file.name, document: doc as RulesDocument });
  };

  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    try {
      // Switched off whatever the file says: the contract validates the rest (field named on error).
      const document = { ...pending.document, rules: pending.document.rules.map((r) => ({ ...r, enabled: false })) };
      const r = await api.call('rules.import', { document, replace });
      toast({ kind: 'success', message: t('rules.transfer.imported', { n: r.added }) });
      setPending(null);
      onImported();
    } catch (err) {
      toast({ kind: 'error', message: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className="btn" disabled={count === 0} onClick={() => void exportRules()}>
        {t('rules.transfer.export')}
      </button>
      <button type="button" className="btn" disabled={!writable} title={writable ? undefined : t('rules.readOnly')} onClick={() => input.current?.click()}>
        {t('rules.transfer.import')}
      </button>
      <input
        ref={input}
        type="file"
        accept="application/json,.json"
        hidden
        aria-label={t('rules.transfer.import')}
        onChange={(e) => {
          void chosen(e.currentTarget.files?.[0]);
          e.currentTarget.value = '';
        }}
      />
      {pending && (
        <Dialog
          title={t('rules.transfer.title', { n: pending.document.rules.length, file: pending.fileName })}
          onClose={() => setPending(null)}
          describedBy="rules-import-desc"
          footer={
            <>
              <button type="button" className="btn" data-autofocus onClick={() => setPending(null)}>
                {t('common.cancel')}
              </button>
              <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void confirm()}>
                {t('rules.transfer.confirm', { n: pending.document.rules.length })}
              </button>
            </>
          }
        >
          <p id="rules-import-desc">{t('rules.transfer.explain')}</p>
          <ul className="rules-import-names">
            {pending.document.rules.slice(0, 20).map((r, i) => (
              <li key={i}>{typeof r.name === 'string' ? r.name : '?'}</li>
            ))}
          </ul>
          {count > 0 && (
            <p>
              <input id={replaceId} type="checkbox" checked={replace} onChange={(e) => setReplace(e.currentTarget.checked)} />{' '}
              <label htmlFor={replaceId}>{t('rules.transfer.replace', { n: count })}</label>
            </p>
          )}
        </Dialog>
      )}
    </>
  );
}
