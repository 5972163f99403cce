/** Single-key shortcuts (j, k, a, ?, …) and when they must stay quiet. Shared by the app shell and the screens. */

/** Whether a key press types into a field: single-letter shortcuts must leave it alone. */
export function isTypingTarget(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  return el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT';
}

/** A modal dialog has the keyboard: the screen behind it takes no shortcuts. */
export function isDialogOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}

/** A key meant for the screen's single-key shortcuts: no Ctrl/⌘/Alt, not typing into a field, no dialog open. */
export function isScreenShortcut(e: KeyboardEvent): boolean {
  return !e.metaKey && !e.ctrlKey && !e.altKey && !isTypingTarget(e.target) && !isDialogOpen();
}
