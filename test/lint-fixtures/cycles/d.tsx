// .tsx files are in the check: d ↔ e is a circle of components.
import { Badge } from './e.tsx';

export function Panel() {
  return <Badge />;
}
