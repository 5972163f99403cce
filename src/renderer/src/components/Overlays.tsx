/** ⌘K command palette and the `?` shortcut sheet. */
import { useT } from '../i18n/index.ts';
import { useApp } from '../store/app.ts';
import { Dialog, Kbd } from './ui.tsx';

export { CommandPalette } from './Palette.tsx';

export function ShortcutSheet() {
  const { t } = useT();
  const setShortcuts = useApp((s) => s.setShortcuts);
  const mod = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';
  const global: Array<[string[], string]> = [
    [[mod, 'K'], t('shortcuts.palette')],
    [['?'], t('shortcuts.help')],
    [['z'], t('shortcuts.undo')],
    [['Esc'], t('shortcuts.close')],
  ];
  const queue: Array<[string[], string]> = [
    [['j', 'k'], t('shortcuts.move')],
    [['a'], t('shortcuts.approve')],
    [['d'], t('shortcuts.decline')],
    [['r'], t('shortcuts.reschedule')],
    [['x'], t('shortcuts.select')],
    [['Shift', 'A'], t('shortcuts.selectAll')],
    [['Enter'], t('shortcuts.open')],
    [['p'], t('shortcuts.preview')],
    [['Shift', 'A'], t('shortcuts.approveAnyway')],
    [['Ctrl', 'Enter'], t('shortcuts.submitDecline')],
  ];
  const table = (rows: Array<[string[], string]>) => (
    <dl className="shortcuts">
      {rows.map(([keys, label]) => (
        <div key={label} className="shortcut-row">
          <dt>
            {keys.map((k, i) => (
              <span key={k}>
                {i > 0 && ' '}
                <Kbd>{k}</Kbd>
              </span>
            ))}
          </dt>
          <dd>{label}</dd>
        </div>
      ))}
    </dl>
  );
  return (
    <Dialog title={t('shortcuts.title')} onClose={() => setShortcuts(false)}>
      <h3 className="h3">{t('shortcuts.globalSection')}</h3>
      {table(global)}
      <h3 className="h3">{t('shortcuts.queueSection')}</h3>
      {table(queue)}
    </Dialog>
  );
}
