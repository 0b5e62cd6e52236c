import { runProcess } from './common/processRunner';
import { startMgmt } from './pipeline-mgmt/main';
import { startWorker } from './pipeline-worker/main';

/** `npm start`: pipeline-mgmt and one pipeline-worker in one process. */
runProcess('sdp', async ({ config, logger }) => {
  const mgmt = await startMgmt({ config, logger: logger.child({ service: 'pipeline-mgmt' }) });
  const worker = await startWorker({ config, logger: logger.child({ service: 'pipeline-worker' }) });
  return {
    // Both stop side by side; a failure of either makes the process exit non-zero.
    stop: async () => {
      const results = await Promise.allSettled([worker.stop(), mgmt.stop()]);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length > 0)
        throw new AggregateError(
          failed.map((r) => r.reason as unknown),
          'stop failed',
        );
    },
  };
});
