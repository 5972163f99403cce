/** Small shared building blocks: states, chips, badges, dialog, form field. */
import { useEffect, useId, useRef } from 'react';
import type { ReactNode } from 'react';
import type { BookingStatus, OfferingStatus, SyncState } from '../../../shared/contract/types.ts';
import { ContractError } from '../../../shared/contract/types.ts';
import { TransportError } from '../api.ts';
import { useT } from '../i18n/index.ts';
import type { T } from '../i18n/index.ts';

export function errorText(t: T, err: unknown): string {
  if (err instanceof TransportError) return t('error.transport');
  if (err instanceof ContractError) {
    const base = t(`error.code.${err.code}`);
    return err.message && err.code !== 'INTERNAL' ? `${base} ${err.message}` : base;
  }
  return err instanceof Error ? err.message : String(err);
}

export function Loading({ label }: { label?: string }) {
  const { t } = useT();
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useT();
  return (
    <div className="state state-error" role="alert">
      <strong>{t('common.error')}</strong>
      <p>{t('common.errorDetail', { message: errorText(t, error) })}</p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

export function SyncChip({ state }: { state: SyncState }) {
  const { t } = useT();
  const label = state === 'synced' ? t('sync.synced') : state === 'pending' ? t('sync.pending') : t('sync.attention');
  return (
    <span className={`chip chip-sync-${state}`}>
      <span className="dot" aria-hidden="true" />
      {label}
    </span>
  );
}

export function BookingStatusBadge({ status }: { status: BookingStatus }) {
  const { t } = useT();
  return <span className={`chip chip-status-${status.toLowerCase()}`}>{t(`bookingStatus.${status}`)}</span>;
}

export function OfferingStatusBadge({ status }: { status: OfferingStatus }) {
  const { t } = useT();
  return <span className={`chip chip-offering-${status.toLowerCase()}`}>{t(`offeringStatus.${status}`)}</span>;
}

/** Risk scores are 0–100; ≥ 70 is high, ≥ 40 medium. */
export function riskLevel(score: number | null): 'none' | 'low' | 'medium' | 'high' {
  if (score === null) return 'none';
  if (score >= 70) return 'high';
  if (score >= 40) return 'medium';
  return 'low';
}

export function RiskBadge({ score }: { score: number | null }) {
  const { t } = useT();
  const level = riskLevel(score);
  const s = score === null ? '' : String(Math.round(score));
  const label = level === 'none' ? t('queue.riskNone') : level === 'high' ? t('queue.riskHigh', { score: s }) : level === 'medium' ? t('queue.riskMedium', { score: s }) : t('queue.riskLow', { score: s });
  return <span className={`chip chip-risk-${level}`}>{label}</span>;
}

const focusableSelector = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog({ title, onClose, children, footer, wide, describedBy }: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean; describedBy?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { t } = useT();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) {
      d.showModal();
      // React handles `autoFocus` itself (before showModal moves focus), so dialogs mark their
      // first field with data-autofocus instead.
      d.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      aria-describedby={describedBy}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => {
        // A modal dialog keeps Tab inside (the browser would otherwise move on to its own UI).
        if (e.key !== 'Tab') return;
        const focusable = [...e.currentTarget.querySelectorAll<HTMLElement>(focusableSelector)].filter((el) => el.getClientRects().length > 0);
        const first = focusable[0];
        const last = focusable[focusable.length - 1];
        if (!first || !last) return;
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }}
    >
      <div className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="btn btn-ghost btn-icon" onClick={onClose} aria-label={t('common.close')}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      <div className="dialog-body">{children}</div>
      {footer && <div className="dialog-foot">{footer}</div>}
    </dialog>
  );
}

export function Field({ label, error, hint, children, id, hideLabel }: { label: string; error?: string | null; hint?: string; hideLabel?: boolean; children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode; id?: string }) {
  const auto = useId();
  const fieldId = id ?? auto;
  const hintId = hint ? `${fieldId}-hint` : undefined;
  const errId = error ? `${fieldId}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={fieldId} className={hideLabel ? 'sr-only' : undefined}>
        {label}
      </label>
      {children({ id: fieldId, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errId}>
          {error}
        </p>
      )}
    </div>
  );
}

export function PageHeader({ title, children, sub }: { title: string; children?: ReactNode; sub?: ReactNode }) {
  return (
    <div className="page-head">
      <div>
        <h1 tabIndex={-1} className="page-title">
          {title}
        </h1>
        {sub && <div className="page-sub">{sub}</div>}
      </div>
      {children && <div className="page-actions">{children}</div>}
    </div>
  );
}

export function Kbd({ children }: { children: ReactNode }) {
  return <kbd className="kbd">{children}</kbd>;
}
