import { describe, expect, it } from 'vitest';
import * as shared from '../../../shared/contract.ts';
import type { ContractErrorShape } from '../../../shared/contract.ts';
import { ContractError, cancelReasons, errorCodes, eventNames, importFieldNames } from './contract-values.ts';

describe('renderer mirror of the contract values', () => {
  it('has the same cancel reasons and event names as src/shared', () => {
    expect(cancelReasons).toEqual(shared.cancelReasons);
    expect(eventNames).toEqual(shared.eventNames);
    expect(importFieldNames).toEqual(shared.importFieldNames);
  });

  it('lists every error code of the contract, once', () => {
    // A new code in ContractErrorShape makes this object fail to type-check until it is added.
    const all: Record<ContractErrorShape['code'], true> = { BAD_INPUT: true, NOT_FOUND: true, CONFLICT: true, UNAVAILABLE: true, INTERNAL: true, UNKNOWN_METHOD: true, NEEDS_CONFIRMATION: true };
    expect([...errorCodes].sort()).toEqual(Object.keys(all).sort());
  });

  it('builds the same error as the shared ContractError (name, code, fields, JSON)', () => {
    const fields = [{ path: 'id', message: 'required' }];
    const mine = new ContractError('BAD_INPUT', 'bad', fields);
    const theirs = new shared.ContractError('BAD_INPUT', 'bad', fields);
    expect(mine.name).toBe(theirs.name);
    expect(mine.message).toBe(theirs.message);
    expect(mine.code).toBe(theirs.code);
    expect(mine.fields).toEqual(theirs.fields);
    expect(mine.toJSON()).toEqual(theirs.toJSON());
    expect(new ContractError('NOT_FOUND', 'x').toJSON()).toEqual(new shared.ContractError('NOT_FOUND', 'x').toJSON());
    expect(Object.getOwnPropertyNames(new ContractError('INTERNAL', 'y')).sort()).toEqual(Object.getOwnPropertyNames(new shared.ContractError('INTERNAL', 'y')).sort());
  });

});
