// Page-side instrumentation of one `a` key press on the queue's active row, shared by bench/ui.ts and
// its diagnostic bench/_ui-probe.ts: when the key went down, when the row left the DOM, and the
// frame after that (requestAnimationFrame, then a task: the frame has been produced).
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
