/**
 * A row's actions behind one compact button (⋯), opened as a menu (WAI-ARIA menu button pattern).
 *
 * Why a menu and not the action buttons themselves: a list row's column has one width for every row
 * and language, and a label such as "Cancelar reserva" did not fit it (cut off at the table's right
 * edge at 1024 px). The button is as narrow in any language; the menu is as wide as its words.
 *
 * Keyboard: Enter, Space or ↓ opens it on the first item, ↑ on the last; ↑ ↓ Home End move; Enter or
 * Space runs the item; Esc or Tab closes it and gives the focus back to the button. No letter key runs
 * an item, so an action that could hurt a customer (cancel, with its refund) is never one reflex key
 * away, and such items open their own confirmation anyway.
 *
 * The menu is drawn in a portal with a fixed position: the rows are transformed and the list scrolls
 * inside its box, which would clip a menu drawn in the row. The portal is the button's `main` (its
 * landmark: content outside landmarks is lost to landmark navigation), else the body. It closes when anything scrolls or the
 * window resizes, rather than drift away from its button.
 */
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { CSSProperties, KeyboardEvent as ReactKeyboardEvent, RefObject } from 'react';
import { createPortal } from 'react-dom';
import './row-menu.css';

export interface RowMenuItem {
  label: string;
  onSelect: () => void;
  /** Shown as unavailable (still focusable, as the pattern asks); selecting it still calls onSelect, which says why. */
  unavailable?: string | null;
}

/** Room the menu needs below its button before it opens upwards instead (a few items of 34 px). */
const ROOM_BELOW = 140;

export function RowMenu({ label, items }: { label: string; items: RowMenuItem[] }) {
  const [open, setOpen] = useState<null | 'first' | 'last'>(null);
  const [place, setPlace] = useState<CSSProperties>({});
  const [host, setHost] = useState<HTMLElement | null>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const id = useId();

  const show = (at: 'first' | 'last') => {
    const r = trigger.current?.getBoundingClientRect();
    if (!r) return;
    const right = window.innerWidth - r.right;
    setHost(trigger.current?.closest('main') ?? document.body);
    setPlace(window.innerHeight - r.bottom >= ROOM_BELOW ? { top: r.bottom + 4, right } : { bottom: window.innerHeight - r.top + 4, right });
    setOpen(at);
  };
  const close = useCallback((refocus: boolean) => {
    setOpen(null);
    if (refocus) trigger.current?.focus();
  }, []);

  // Opened: the focus goes to the first (or last) item.
  useLayoutEffect(() => {
    if (!open) return;
    const all = menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]');
    all?.[open === 'first' ? 0 : all.length - 1]?.focus();
  }, [open]);

  useCloseOnOutside(open !== null, menu, trigger, close);

  const onTriggerKey = (e: ReactKeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      show(e.key === 'ArrowDown' ? 'first' : 'last');
    }
  };

  const onMenuKey = (e: ReactKeyboardEvent<HTMLDivElement>) => menuKey(e, () => close(true));

  return (
    <>
      <button
        ref={trigger}
        type="button"
        className="btn btn-small btn-icon row-menu-trigger"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open !== null}
        aria-controls={open ? id : undefined}
        onClick={() => (open ? close(false) : show('first'))}
        onKeyDown={onTriggerKey}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      {open &&
        host &&
        createPortal(
          <div ref={menu} id={id} role="menu" aria-label={label} className="row-menu" style={place} onKeyDown={onMenuKey}>
            {items.map((item) => (
              <button
                key={item.label}
                type="button"
                role="menuitem"
                tabIndex={-1}
                className="row-menu-item"
                aria-disabled={item.unavailable ? true : undefined}
                title={item.unavailable ?? undefined}
                onClick={() => {
                  // The button first has the focus back, so a dialog the item opens returns it there.
                  close(true);
                  item.onSelect();
                }}
              >
                {item.label}
              </button>
            ))}
          </div>,
          host,
        )}
    </>
  );
}

/** While open: a press outside the menu and its button, a scroll anywhere or a resize closes it. */
function useCloseOnOutside(open: boolean, menu: RefObject<HTMLElement | null>, trigger: RefObject<HTMLElement | null>, close: (refocus: boolean) => void): void {
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      const t = e.target as Node;
      if (!menu.current?.contains(t) && !trigger.current?.contains(t)) close(false);
    };
    const onMove = () => close(false);
    document.addEventListener('pointerdown', onDown, true);
    window.addEventListener('scroll', onMove, true);
    window.addEventListener('resize', onMove);
    return () => {
      document.removeEventListener('pointerdown', onDown, true);
      window.removeEventListener('scroll', onMove, true);
      window.removeEventListener('resize', onMove);
    };
  }, [open, menu, trigger, close]);
}

/** Keys inside the open menu: ↑ ↓ Home End move (wrapping), Esc and Tab close it; letters do nothing. */
function menuKey(e: ReactKeyboardEvent<HTMLDivElement>, close: () => void): void {
  // The screen's and the app's single-key shortcuts stay quiet while the menu has the keyboard.
  e.stopPropagation();
  const all = [...e.currentTarget.querySelectorAll<HTMLElement>('[role="menuitem"]')];
  const at = all.indexOf(document.activeElement as HTMLElement);
  const go = (i: number) => all[(i + all.length) % all.length]?.focus();
  if (e.key === 'ArrowDown') go(at + 1);
  else if (e.key === 'ArrowUp') go(at - 1);
  else if (e.key === 'Home') go(0);
  else if (e.key === 'End') go(all.length - 1);
  else if (e.key === 'Escape' || e.key === 'Tab') close();
  else return;
  e.preventDefault();
}
