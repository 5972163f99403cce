import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// The shared styles first: the screens' and components' own files (imported with them) come after and refine them.
import './styles/index.css';
import { App } from './App.tsx';
import { transportKind } from './api.ts';
import { parseRoute } from './lib/routes.ts';
import { prime } from './lib/useQuery.ts';

// The queue is the first screen: ask for its first window (the screen's default sort and filters) before React starts.
if (transportKind !== 'none' && parseRoute(location.hash).name === 'queue') prime('queue.window', { sort: 'waiting', risk: 'all', limit: 200 });

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
