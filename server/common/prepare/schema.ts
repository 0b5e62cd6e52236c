import type { CompiledSchema, SchemaError } from '../processors/schema';
import { draftDocuments, PrepareStep, stepFailure } from './recordDraft';

/** Distinct error paths counted per pipeline; more are counted as `other` (a bounded metrics label). */
export const MAX_SCHEMA_PATHS = 20;

/** Counts of a pipeline's schema check, read by the worker's metrics. */
export interface SchemaStats {
  /** Records refused (`enforce`) or indexed anyway (`warn`). */
  failed: number;
  /** Failures by error path (array indices as `[*]`), at most MAX_SCHEMA_PATHS distinct, then `other`. */
  byPath: Map<string, number>;
}

export function newSchemaStats(): SchemaStats {
  return { failed: 0, byPath: new Map() };
}

function countPaths(stats: SchemaStats, errors: SchemaError[]): void {
  stats.failed++;
  for (const e of errors) {
    let path = e.path.replace(/\[\d+\]/g, '[*]');
    if (!stats.byPath.has(path) && stats.byPath.size >= MAX_SCHEMA_PATHS) path = 'other';
    stats.byPath.set(path, (stats.byPath.get(path) ?? 0) + 1);
  }
}

/**
 * Stage `schema`: the pipeline's JSON Schema over each document after the processors. `enforce`:
 * a failing record goes to the error topic with the errors (JSON path and message); `warn`: it is
 * indexed, and counted.
 */
export function schemaStep(schema: CompiledSchema, stats: SchemaStats = newSchemaStats()): PrepareStep {
  return {
    name: 'schema',
    run(draft) {
      for (const d of draftDocuments(draft)) {
        const errors = schema.validate(d.doc);
        if (!errors) continue;
        countPaths(stats, errors);
        if (schema.mode === 'warn') continue;
        const reason = errors.map((e) => `${e.path} ${e.message}`).join('; ');
        return stepFailure(
          'schema',
          'schema_violation',
          `the document does not match the schema: ${reason}`,
          {
            errors,
          },
        );
      }
      return null;
    },
  };
}
