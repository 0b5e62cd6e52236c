import { createTaskHealth } from '../../server/pipeline-worker/logics/taskHealth';
import { testLogger } from '../helpers';

function setup(failureThreshold = 3) {
  const gaveUp: unknown[] = [];
  const backoff: boolean[] = [];
  const failedStages: string[] = [];
  const health = createTaskHealth({
    failureThreshold,
    onGiveUp: (e) => gaveUp.push(e),
    onBackoffChange: (b) => backoff.push(b),
    onAttemptFailed: (stage) => failedStages.push(stage),
    logger: testLogger(),
  });
  return { health, gaveUp, backoff, failedStages };
}

describe('task health', () => {
  it('backs off on the first failed attempt and stops backing off when the stage progresses', () => {
    const { health, backoff, gaveUp } = setup();
    const f = health.track();
    f.failed(new Error('ECONNREFUSED'), 'index');
    expect(health.snapshot()).toEqual({
      consecutiveFailures: 1,
      lastError: 'Error: ECONNREFUSED',
      backingOff: true,
    });
    f.progressed('index');
    expect(health.snapshot()).toMatchObject({
      consecutiveFailures: 0,
      backingOff: false,
      lastError: 'Error: ECONNREFUSED',
    });
    expect(backoff).toEqual([true, false]);
    expect(gaveUp).toEqual([]);
  });

  it('counts each flush and stage on its own: parallel retries do not add up', () => {
    const { health, gaveUp } = setup(3);
    const a = health.track();
    const b = health.track();
    for (let i = 0; i < 2; i++) {
      a.failed(new Error('503'), 'index');
      b.failed(new Error('503'), 'index');
      a.failed(new Error('broker down'), 'error-topic');
    }
    expect(health.snapshot().consecutiveFailures).toBe(2);
    expect(gaveUp).toEqual([]);
    b.failed(new Error('503'), 'index');
    expect(gaveUp).toHaveLength(1);
  });

  it('progress at a stage resets that stage for every flush, not the others', () => {
    const { health } = setup(10);
    const a = health.track();
    const b = health.track();
    a.failed(new Error('503'), 'index');
    a.failed(new Error('503'), 'index');
    b.failed(new Error('broker'), 'output-topic');
    b.progressed('index');
    expect(health.snapshot().consecutiveFailures).toBe(1); // b's output-topic failure remains
    b.done();
    expect(health.snapshot()).toMatchObject({ consecutiveFailures: 0, backingOff: false });
  });

  it('gives up once at the threshold and keeps showing the failures that ended it', () => {
    const { health, gaveUp, failedStages } = setup(2);
    const f = health.track();
    const last = new Error('still down');
    f.failed(new Error('down'), 'index');
    f.failed(last, 'index');
    f.failed(new Error('after'), 'index');
    expect(gaveUp).toEqual([last]);
    f.done();
    expect(health.snapshot()).toMatchObject({ consecutiveFailures: 3, backingOff: true });
    expect(failedStages).toEqual(['index', 'index', 'index']);
  });
});
