// No circle: c imports a, nothing imports c.
import { square } from './a.ts';

export const sides = square.sides;
