// A value import one way and a type-only import back: still a circle (type-only imports count).
import { shapeOf } from './b.ts';

export interface Shape {
  sides: number;
}

export const square: Shape = shapeOf(4);
