import { InputError } from '../../common/errors';
import { compileProcessing, CompiledProcessing } from '../../common/processors/processing';
import type { MutableFields } from '../interfaces/pipelineStore';

/**
 * Compiles a pipeline's processors, index template and schema exactly as a worker will (without the
 * workers' secrets): a 400 `invalid_processors` or `invalid_schema` naming each problem's path and
 * reason, before anything is created or changed.
 */
export function checkProcessing(
  fields: Pick<MutableFields, 'processors' | 'indexTemplate' | 'schema'>,
): CompiledProcessing {
  const r = compileProcessing(fields);
  if ('compiled' in r) return r.compiled;
  const what = r.code === 'invalid_schema' ? 'schema' : 'processors';
  const details = r.problems.map((p) => ({ path: p.path, message: p.reason, reason: p.reason }));
  throw new InputError(
    `the pipeline's ${what} are invalid: ${r.problems.map((p) => `${p.path} ${p.reason}`).join('; ')}`,
    details,
    r.code,
  );
}
