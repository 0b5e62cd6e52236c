import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { REFRESH_MS } from './settings';

export interface Polled<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  /** When the last successful answer came. */
  at: number | null;
  reload: () => void;
}

/** Runs `load` now and every REFRESH_MS while the page is shown; keeps the last good answer. */
export function usePoll<T>(load: () => Promise<T>, deps: unknown[]): Polled<T> {
  const [state, setState] = useState<Omit<Polled<T>, 'reload'>>({
    data: null,
    error: null,
    loading: true,
    at: null,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    let alive = true;
    let timer: number | undefined;
    const run = async () => {
      try {
        const data = await loadRef.current();
        if (alive) setState({ data, error: null, loading: false, at: Date.now() });
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(0, 'console_error', (e as Error).message);
        if (alive) setState((s) => ({ ...s, error: err, loading: false }));
      }
      if (alive) timer = window.setTimeout(run, REFRESH_MS);
    };
    void run();
    return () => {
      alive = false;
      window.clearTimeout(timer);
    };
  }, [...deps, tick]);

  return { ...state, reload };
}
