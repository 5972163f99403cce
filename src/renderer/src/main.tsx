// The shared styles first: the screens' and components' own files (imported with them) come after and refine them.
import './styles/index.css';
import { transportKind } from './api.ts';
import { parseRoute } from './lib/routes.ts';
import { prime } from './lib/useQuery.ts';

// The queue is the first screen: ask for its first window (the screen's default sort and filters)
// before anything else. This entry is kept small (the transport and the route parser) and the app is
// a chunk of its own imported after the call is sent: the core answers the window (hundreds of ms at
// 1M bookings) while the browser parses and runs the app's code, instead of after it (#16: the whole
// bundle was evaluated before the call left).
if (transportKind !== 'none' && parseRoute(location.hash).name === 'queue') prime('queue.window', { sort: 'waiting', risk: 'all', limit: 200 });

void import('./boot.tsx');
