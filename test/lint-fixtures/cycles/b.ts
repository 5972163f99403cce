import type { Shape } from './a.ts';

export function shapeOf(sides: number): Shape {
  return { sides };
}
