import { CompiledChain, compileProcessors } from './chain';
import { compileIndexTemplate, CompiledIndexTemplate } from './indexTemplate';
import type { CompileContext } from './operations/params';
import { compileSchema, CompiledSchema } from './schema';
import type { ConfigProblem } from './types';

/** What a pipeline configures about its records beyond the basics. */
export interface ProcessingConfig {
  processors: unknown[];
  indexTemplate: string | null;
  schema: { jsonSchema: Record<string, unknown>; mode: 'enforce' | 'warn' } | null;
}

export interface CompiledProcessing {
  /** null when the pipeline has no processors (the fast path: the document is never re-serialised). */
  chain: CompiledChain | null;
  indexTemplate: CompiledIndexTemplate | null;
  schema: CompiledSchema | null;
}

/** Problems found, by the error code the API answers: `invalid_processors` (with indexTemplate) or `invalid_schema`. */
export interface ProcessingProblems {
  code: 'invalid_processors' | 'invalid_schema';
  problems: ConfigProblem[];
}

/** Compiles processors, index template and schema together; the first class of problems found wins. */
export function compileProcessing(
  config: ProcessingConfig,
  ctx: CompileContext = {},
): { compiled: CompiledProcessing } | ProcessingProblems {
  const problems: ConfigProblem[] = [];
  let chain: CompiledChain | null = null;
  if (config.processors.length > 0) {
    const c = compileProcessors(config.processors, ctx);
    if ('problems' in c) problems.push(...c.problems);
    else chain = c.chain;
  }
  let indexTemplate: CompiledIndexTemplate | null = null;
  if (config.indexTemplate !== null) {
    const t = compileIndexTemplate(config.indexTemplate);
    if ('problems' in t) problems.push(...t.problems);
    else indexTemplate = t;
  }
  if (problems.length > 0) return { code: 'invalid_processors', problems };
  let schema: CompiledSchema | null = null;
  if (config.schema !== null) {
    const s = compileSchema(config.schema);
    if ('problems' in s) return { code: 'invalid_schema', problems: s.problems };
    schema = s;
  }
  return { compiled: { chain, indexTemplate, schema } };
}
