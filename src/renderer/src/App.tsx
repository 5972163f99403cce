import { useEffect } from 'react';
import { transportKind } from './api.ts';
import { CommandPalette, ShortcutSheet } from './components/Overlays.tsx';
import { Shell } from './components/Shell.tsx';
import { GlobalActions } from './components/GlobalActions.tsx';
import { useT } from './i18n/index.ts';
import { isDialogOpen, isTypingTarget } from './lib/keys.ts';
import { useApp } from './store/app.ts';
import { useUndo } from './store/undo.ts';
import { ActivityScreen } from './screens/Activity.tsx';
import { AttentionScreen } from './screens/Attention.tsx';
import { BookingDetailScreen } from './screens/BookingDetail.tsx';
import { BookingsScreen } from './screens/Bookings.tsx';
import { CatalogueScreen } from './screens/Catalogue.tsx';
import { DisputesScreen } from './screens/Disputes.tsx';
import { InsightsScreen } from './screens/Insights.tsx';
import { QueueScreen } from './screens/Queue.tsx';
import { ReviewsScreen } from './screens/Reviews.tsx';
import { RulesScreen } from './screens/Rules.tsx';
import { SettingsScreen } from './screens/Settings.tsx';
import { TodayScreen } from './screens/Today.tsx';

function useThemeAndLanguage() {
  const theme = useApp((s) => s.settings?.theme ?? 'system');
  const { lang, t } = useT();
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t('app.name');
  }, [lang, t]);
}

function useGlobalKeys() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const app = useApp.getState();
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        app.setPalette(!app.paletteOpen);
        return;
      }
      // z, Ctrl+Z, ⌘Z: undo the last action still in its window (text fields keep their own undo).
      if ((e.key === 'z' || e.key === 'Z') && !e.altKey && !e.shiftKey && !isTypingTarget(e.target) && !isDialogOpen()) {
        e.preventDefault();
        void useUndo.getState().undoLast();
        return;
      }
      if (e.key === '?' && !isTypingTarget(e.target) && !isDialogOpen()) {
        e.preventDefault();
        app.setShortcuts(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

function NoToken() {
  const { t } = useT();
  return (
    <main className="fullpage" id="main">
      <div className="fullpage-card" role="alert">
        <h1>{t('error.noToken.title')}</h1>
        <p>{t('error.noToken.body')}</p>
      </div>
    </main>
  );
}

function Screen() {
  const route = useApp((s) => s.route);
  switch (route.name) {
    case 'queue':
      return <QueueScreen />;
    case 'attention':
      return <AttentionScreen />;
    case 'bookings':
      return <BookingsScreen />;
    case 'booking':
      return <BookingDetailScreen id={route.id} />;
    case 'catalogue':
      return <CatalogueScreen tab={route.tab} />;
    case 'disputes':
      return <DisputesScreen />;
    case 'activity':
      return <ActivityScreen />;
    case 'today':
      return <TodayScreen />;
    case 'insights':
      return <InsightsScreen />;
    case 'reviews':
      return <ReviewsScreen />;
    case 'rules':
      return <RulesScreen />;
    case 'settings':
      return <SettingsScreen />;
  }
}

export function App() {
  useThemeAndLanguage();
  useGlobalKeys();
  const init = useApp((s) => s.init);
  const palette = useApp((s) => s.paletteOpen);
  const shortcuts = useApp((s) => s.shortcutsOpen);
  const refused = useApp((s) => s.transport === 'refused');
  useEffect(() => init(), [init]);
  if (transportKind === 'none' || refused) return <NoToken />;
  return (
    <>
      <Shell>
        <Screen />
      </Shell>
      <GlobalActions />
      {palette && <CommandPalette />}
      {shortcuts && <ShortcutSheet />}
    </>
  );
}
