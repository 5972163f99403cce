// Page-side instrumentation for the UI benches (init scripts run in the page).
//
// One `a` key press on the queue's active row, shared by bench/ui.ts and its diagnostic
// bench/_ui-probe.ts: when the key went down, when the row left the DOM, and the frame after that
// (requestAnimationFrame, then a task: the frame has been produced).
export const watchActiveRowLeaving = `(() => {
  const row = document.querySelector('tbody tr.row-active');
  window.__press = { row, start: 0, dom: 0, painted: 0 };
  window.addEventListener('keydown', (e) => { if (e.key === 'a') window.__press.start = performance.now(); }, { capture: true, once: true });
  const obs = new MutationObserver(() => {
    if (row.isConnected) return;
    obs.disconnect();
    window.__press.dom = performance.now();
    requestAnimationFrame(() => setTimeout(() => { window.__press.painted = performance.now(); }, 0));
  });
  obs.observe(row.parentNode, { childList: true });
})()`;

// Page-side instrumentation of a cold start, shared by bench/ui.ts and its diagnostic
// bench/_ui-cold-probe.ts: when the highlighted queue row is first in the DOM, and the frame after it
// (painted), relative to navigation start, in window.__queueReady.
export const markQueueReady = `(() => {
  const mark = () => {
    if (window.__queueReady) return true;
    if (!document.querySelector('tbody tr.row-active')) return false;
    window.__queueReady = { dom: performance.now() };
    requestAnimationFrame(() => setTimeout(() => { window.__queueReady.painted = performance.now(); }, 0));
    return true;
  };
  new MutationObserver((_, obs) => { if (mark()) obs.disconnect(); }).observe(document, { childList: true, subtree: true });
})()`;
