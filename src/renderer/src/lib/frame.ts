/**
 * Resolves once the browser has drawn the frame after now (its animation frame, then the task after
 * it), or after `maxMs` when no frame comes: a hidden window draws none, and a write must not wait
 * for the window to be shown again.
 *
 * Why (issue #16): a key press that removes a row and sends its write in the same task painted only
 * when the write's answer came back (the frame followed the core's answer: 98 ms at 1M bookings
 * against a 3.7 ms floor); sent after the frame, the row leaves at the speed of the page alone.
 */
export function afterPaint(maxMs = 100): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame !== 'function') return resolve();
    const timer = setTimeout(resolve, maxMs);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });
}
