/** Hash routes: `#/queue`, `#/booking/<id>`, `#/catalogue/coupons` … (reload-safe, no server routing needed). */
export type CatalogueTab = 'offerings' | 'availability' | 'coupons' | 'import';
export type Route =
  | { name: 'queue' }
  | { name: 'attention' }
  | { name: 'bookings' }
  | { name: 'booking'; id: string }
  | { name: 'catalogue'; tab: CatalogueTab }
  | { name: 'disputes' }
  | { name: 'activity' }
  | { name: 'today' }
  | { name: 'insights' }
  | { name: 'reviews' }
  | { name: 'rules' }
  | { name: 'settings' };

export type ScreenName = Route['name'];

const simple = ['queue', 'attention', 'bookings', 'disputes', 'activity', 'today', 'insights', 'reviews', 'rules', 'settings'] as const;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const [head, rest] = [path.split('/')[0] ?? '', path.split('/').slice(1).join('/')];
  if (head === 'booking' && rest) return { name: 'booking', id: decodeURIComponent(rest) };
  if (head === 'catalogue') {
    const tab = rest === 'availability' || rest === 'coupons' || rest === 'import' ? rest : 'offerings';
    return { name: 'catalogue', tab };
  }
  const found = simple.find((s) => s === head);
  return found ? ({ name: found } as Route) : { name: 'queue' };
}

export function routeHash(route: Route): string {
  if (route.name === 'booking') return `#/booking/${encodeURIComponent(route.id)}`;
  if (route.name === 'catalogue') return `#/catalogue/${route.tab}`;
  return `#/${route.name}`;
}
