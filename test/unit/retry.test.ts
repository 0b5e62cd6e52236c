import { buildConfig } from '../../server/common/config/load';
import {
  AbortedError,
  backoffDelay,
  defaultIsRetriable,
  minimumRetrySpanMs,
  retry,
  rootCause,
  sleep,
} from '../../server/common/retry';
import { FLUSH_RETRY_JITTER } from '../../server/pipeline-worker/defaults';

const fast = { initialMs: 1, maxMs: 4, factor: 2 };

describe('retry', () => {
  it('returns the first success and counts attempts', async () => {
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new Error('flaky');
        return 'ok';
      },
      { ...fast, maxAttempts: 5 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error(`fail ${calls}`);
        },
        { ...fast, maxAttempts: 3 },
      ),
    ).rejects.toThrow('fail 3');
    expect(calls).toBe(3);
  });

  it('never retries bugs or errors marked not retriable, and bail stops at once', async () => {
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new TypeError('bug');
      }, fast),
    ).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
    const permanent = Object.assign(new Error('permanent'), { retriable: false });
    await expect(retry(async () => Promise.reject(permanent), fast)).rejects.toBe(permanent);
    await expect(retry(async (_a, bail) => bail(new Error('stop')), fast)).rejects.toThrow('stop');
  });

  it('grows the delay exponentially within the cap, with jitter in [cap/2, cap]', () => {
    const o = { initialMs: 100, maxMs: 1000, factor: 2 };
    expect(backoffDelay(1, { ...o, random: () => 0 })).toBe(50);
    expect(backoffDelay(1, { ...o, random: () => 1 })).toBe(100);
    expect(backoffDelay(3, { ...o, random: () => 1 })).toBe(400);
    expect(backoffDelay(10, { ...o, random: () => 1 })).toBe(1000);
  });

  it('aborts a sleep and a retry loop through the signal', async () => {
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortedError);
    const ac2 = new AbortController();
    const loop = retry(
      async () => {
        ac2.abort();
        throw new Error('x');
      },
      { initialMs: 10_000, maxMs: 10_000, factor: 1, maxAttempts: Infinity, signal: ac2.signal },
    );
    await expect(loop).rejects.toBeInstanceOf(AbortedError);
  });

  it('keeps the random share of a delay to `jitter`', () => {
    const o = { initialMs: 1000, maxMs: 1000, factor: 2, jitter: 0.1 };
    expect(backoffDelay(1, { ...o, random: () => 0 })).toBe(900);
    expect(backoffDelay(1, { ...o, random: () => 1 })).toBe(1000);
    expect(backoffDelay(1, { ...o, jitter: 0, random: () => 0.7 })).toBe(1000);
  });

  it('decides retriable from the root of the cause chain; bugs anywhere are never retried', () => {
    const root = Object.assign(new Error('connection refused'), { retriable: true });
    const exceeded = Object.assign(new Error('retries exceeded', { cause: root }), { retriable: false });
    const top = new Error('send failed', { cause: exceeded });
    expect(rootCause(top)).toBe(root);
    expect(defaultIsRetriable(top)).toBe(true);
    expect(
      defaultIsRetriable(new Error('x', { cause: Object.assign(new Error('denied'), { retriable: false }) })),
    ).toBe(false);
    expect(defaultIsRetriable(new Error('x', { cause: new TypeError('bug') }))).toBe(false);
    const cyclic: Error & { cause?: unknown } = new Error('cyclic');
    cyclic.cause = cyclic;
    expect(rootCause(cyclic)).toBe(cyclic);
  });

  it('with the shipped defaults, failureThreshold failed flush attempts span at least 2 minutes, and a recovered dependency is retried within 20 s', () => {
    const { server } = buildConfig({}, {});
    const schedule = {
      initialMs: server.retryInitialMs,
      maxMs: server.retryMaxMs,
      factor: 2,
      jitter: FLUSH_RETRY_JITTER,
    };
    const span = minimumRetrySpanMs(server.failureThreshold, schedule);
    expect(span).toBeGreaterThanOrEqual(120_000);
    expect(span).toBe(126_900); // 0.9 x (3 + 6 + 12 + 6 x 20) s
    expect(server.retryMaxMs).toBeLessThanOrEqual(20_000);
  });
});
