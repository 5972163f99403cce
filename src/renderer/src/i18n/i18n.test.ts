import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { es } from './es.ts';

describe('dictionaries', () => {
  it('have the same keys and the same placeholders', () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
    const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(en) as Array<keyof typeof en>) expect([k, vars(es[k])]).toEqual([k, vars(en[k])]);
  });
});
