import type { Pipeline, PipelineStatus } from '../../common/pipelines';
import { OBSERVED_STATES, ObservedSettings, ObservedState, ObservedStatus } from '../interfaces/observed';
import type { PipelineCounts, TaskView } from '../interfaces/pipelineService';
import type { PipelineStore } from '../interfaces/pipelineStore';
import type { TaskStatus, TaskStatusReader } from '../interfaces/taskStatusReader';
import { COUNT_PAGE_SIZE } from '../defaults';
import { isLive, observePipeline } from './observedStatus';

export interface ObserveDeps {
  store: PipelineStore;
  tasks: TaskStatusReader;
  settings: ObservedSettings;
  now: () => Date;
}

/** The observed side of pipelines: their tasks summarised, and counts over all of them (for /metrics). */
export function createObserveService({ store, tasks, settings, now }: ObserveDeps) {
  async function observe(pipelines: Pipeline[]): Promise<Map<string, ObservedStatus>> {
    const byPipeline = await tasks.listForPipelines(pipelines.map((p) => p.id));
    const at = now();
    return new Map(
      pipelines.map((p) => [p.id, observePipeline(p, byPipeline.get(p.id) ?? [], settings, at)]),
    );
  }

  return {
    observe,
    withLiveness(list: TaskStatus[]): TaskView[] {
      return list.map((t) => ({ ...t, live: isLive(t, settings) }));
    },
    async pipelineCounts(): Promise<PipelineCounts> {
      const desired: Record<PipelineStatus, number> = { running: 0, stopped: 0 };
      const observed = Object.fromEntries(OBSERVED_STATES.map((s) => [s, 0])) as Record<
        ObservedState,
        number
      >;
      let after: { createdAt: string; id: string } | undefined;
      do {
        const page = await store.list({ limit: COUNT_PAGE_SIZE, after });
        for (const p of page.items) desired[p.status]++;
        for (const o of (await observe(page.items)).values()) observed[o.status]++;
        after = page.next;
      } while (after);
      return { desired, observed };
    },
  };
}
