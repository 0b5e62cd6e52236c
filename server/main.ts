import { runProcess } from './common/processRunner';
import { startMgmt } from './pipeline-mgmt/main';
import { startWorker } from './pipeline-worker/main';

/** `npm start`: pipeline-mgmt and one pipeline-worker in one process. */
runProcess('sdp', async ({ config, logger }) => {
  const mgmt = await startMgmt({ config, logger: logger.child({ service: 'pipeline-mgmt' }) });
  const worker = await startWorker({ config, logger: logger.child({ service: 'pipeline-worker' }) });
  return {
    stop: async () => {
      await Promise.allSettled([worker.stop(), mgmt.stop()]);
    },
  };
});
