import { AbortedError, backoffDelay, retry, sleep } from '../../server/common/retry';

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
});
