/** Fetch a contract query and re-fetch it (debounced) when the core says its tables changed. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MethodInput, MethodName, MethodResults } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import type { Table } from './transport.ts';

export interface QueryState<T> {
  data: T | undefined;
  error: Error | null;
  /** True only before the first answer: later re-fetches keep showing the previous data (no jumps). */
  loading: boolean;
  reload: () => void;
}

const primed = new Map<string, { promise: Promise<unknown>; at: number }>();

/**
 * Starts the first screen's query while the page is still starting (before React renders); the
 * first `useQuery` asking for the same method and input takes it instead of calling again.
 */
export function prime<M extends MethodName>(method: M, input: MethodInput<M>): void {
  const promise = api.call(method, input);
  promise.catch(() => {});
  primed.set(`${method}|${JSON.stringify(input)}`, { promise, at: Date.now() });
}

function takePrimed<M extends MethodName>(method: M, key: string): Promise<MethodResults[M]> | null {
  const p = primed.get(`${method}|${key}`);
  if (!p) return null;
  primed.delete(`${method}|${key}`);
  return Date.now() - p.at < 5000 ? (p.promise as Promise<MethodResults[M]>) : null;
}

/** The primed answer for this exact call when there is one, else a new call. */
export function callPrimed<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResults[M]> {
  return takePrimed(method, JSON.stringify(input)) ?? api.call(method, input);
}

export function useQuery<M extends MethodName>(method: M, input: MethodInput<M>, tables: readonly Table[], enabled = true): QueryState<MethodResults[M]> {
  const key = JSON.stringify(input);
  const [state, setState] = useState<{ data: MethodResults[M] | undefined; error: Error | null; loading: boolean; key: string }>({ data: undefined, error: null, loading: enabled, key });
  const seq = useRef(0);
  const inputRef = useRef(input);
  inputRef.current = input;

  const load = useCallback(() => {
    if (!enabled) return;
    const mine = ++seq.current;
    (takePrimed(method, key) ?? api.call(method, inputRef.current)).then(
      (data) => {
        if (mine === seq.current) setState({ data, error: null, loading: false, key });
      },
      (error: Error) => {
        if (mine === seq.current) setState((s) => ({ data: s.key === key ? s.data : undefined, error, loading: false, key }));
      },
    );
  }, [method, key, enabled]);

  useEffect(() => {
    setState((s) => (s.key === key ? s : { data: undefined, error: null, loading: true, key }));
    load();
  }, [load, key]);

  const tablesKey = tables.join(',');
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const wanted = new Set(tablesKey.split(','));
    const off = api.on('data.changed', ({ tables: changed }) => {
      if (!changed.some((t) => wanted.has(t))) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(load, 100);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [load, tablesKey, enabled]);

  return { data: state.key === key ? state.data : undefined, error: state.error, loading: state.loading || state.key !== key, reload: load };
}
