/**
 * One collapsed undo bar in the status bar ("3 approved · Undo (z)"): it never covers rows, it
 * comes early in the tab order, and it never piles up. Beside it, the Outbox button lists what is
 * queued and withdraws what has not been sent.
 */
import { useEffect, useState } from 'react';
import type { IntentView } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { useT } from '../i18n/index.ts';
import { labelOr } from '../i18n/translate.ts';
import { formatRelative } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp } from '../store/app.ts';
import { useUndo } from '../store/undo.ts';
import type { ActionKind, UndoEntry } from '../store/undo.ts';
import { Dialog, Kbd, errorText } from './ui.tsx';

const kinds: ActionKind[] = ['approved', 'declined', 'cancelled', 'rescheduled'];

export function UndoBar() {
  const { t } = useT();
  const entries = useUndo((s) => s.entries);
  const last = useUndo((s) => s.last);
  const undoLast = useUndo((s) => s.undoLast);
  if (!entries.length && !last) return null;
  let text: string;
  if (!entries.length && last) text = t(`undo.outcome.${last.outcome}`);
  else if (entries.length === 1 && entries[0]!.name) text = t(`undo.one.${entries[0]!.kind}`, { name: entries[0]!.name });
  else {
    const by = new Map<ActionKind, number>();
    for (const e of entries) by.set(e.kind, (by.get(e.kind) ?? 0) + e.count);
    text = kinds
      .filter((k) => by.has(k))
      .map((k) => t(`undo.many.${k}`, { n: by.get(k)! }))
      .join(' · ');
  }
  const canUndo = entries.some((e: UndoEntry) => e.undoable);
  return (
    <div className="undo-bar" role="status" aria-live="polite">
      <span className="undo-text">{text}</span>
      {canUndo && (
        <button type="button" className="btn btn-small undo-button" onClick={() => void undoLast()} aria-keyshortcuts="z Control+Z Meta+Z">
          {t('common.undo')} <Kbd>z</Kbd>
        </button>
      )}
    </div>
  );
}

const withdrawable = (i: IntentView) => (i.state === 'held' || i.state === 'queued') && i.attempts === 0;

/** The outbox: every action not yet accepted by Orkestr, its state, and withdraw for what never left. */
export function OutboxDialog({ onClose }: { onClose: () => void }) {
  const { t, locale } = useT();
  const now = useApp((s) => s.now);
  const q = useQuery('intents.list', {}, ['intents']);
  const [error, setError] = useState<string | null>(null);
  const open = (q.data ?? []).filter((i) => i.state === 'held' || i.state === 'queued' || i.state === 'sending' || i.state === 'attention');
  const withdraw = async (i: IntentView) => {
    setError(null);
    try {
      const r = await api.call('intents.undo', { id: i.id });
      if (!r.undone) setError(t('outbox.tooLate'));
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  return (
    <Dialog title={t('outbox.title')} onClose={onClose} wide>
      {error && <p className="notice notice-warning" role="alert">{error}</p>}
      {open.length === 0 ? (
        <p className="muted">{t('outbox.empty')}</p>
      ) : (
        <ul className="outbox-list">
          {open.map((i) => (
            <li key={i.id} className="outbox-item">
              <span>
                <strong>{labelOr(t, `outbox.kind.${i.kind}`, i.kind)}</strong> · <span className="muted small">{i.targetId}</span>
              </span>
              <span className="small">
                {labelOr(t, `intentState.${i.state}`, i.state)} · {formatRelative(i.createdAt, Math.max(now, Date.now()), locale, true)}
                {i.lastError && <span className="muted"> · {i.lastError}</span>}
              </span>
              {withdrawable(i) ? (
                <button type="button" className="btn btn-small" onClick={() => void withdraw(i)} aria-label={t('outbox.withdrawOne', { what: labelOr(t, `outbox.kind.${i.kind}`, i.kind), id: i.targetId })}>
                  {t('outbox.withdraw')}
                </button>
              ) : (
                <span className="muted small">{t('outbox.sent')}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}

/** The status bar's Outbox count as a button that opens the list. */
export function OutboxButton({ count }: { count: number }) {
  const { t } = useT();
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onOpen = () => setOpen(true);
    window.addEventListener('orkestr:outbox', onOpen);
    return () => window.removeEventListener('orkestr:outbox', onOpen);
  }, []);
  return (
    <>
      <button type="button" className="btn btn-small btn-ghost status-item" onClick={() => setOpen(true)}>
        {t('status.outbox', { n: count })}
      </button>
      {open && <OutboxDialog onClose={() => setOpen(false)} />}
    </>
  );
}
