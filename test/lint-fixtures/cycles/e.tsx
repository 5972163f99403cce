import { Panel } from './d.tsx';

export function Badge() {
  return <span>{Panel.name}</span>;
}
