import type { CompiledIndexTemplate } from '../processors/indexTemplate';
import { draftDocuments, PrepareStep } from './recordDraft';

/**
 * Index routing: each document's target index from the pipeline's indexTemplate. One whose
 * placeholders cannot be resolved (or that makes no valid index name) goes to the pipeline's `index`.
 * Pure, so a replay sends the same record to the same index with the same `_id`.
 */
export function routeStep(template: CompiledIndexTemplate): PrepareStep {
  return {
    name: 'route',
    run(draft) {
      for (const d of draftDocuments(draft)) {
        const index = template.resolve(d.doc);
        if (index !== null) d.index = index;
      }
      return null;
    },
  };
}
