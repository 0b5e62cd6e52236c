import type * as Cel from '@marcbachmann/cel-js' with { 'resolution-mode': 'import' };
import { CEL_LIMITS, MAX_EXPRESSION_BYTES } from './limits';
import type { Doc, RecordMeta } from './types';

// The library ships ES modules only; Node 20 (>= 20.19) loads them with require().
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cel = require('@marcbachmann/cel-js') as typeof Cel;

/**
 * CEL (Common Expression Language) through @marcbachmann/cel-js: parsed and type-checked once at
 * compile time, then a plain function per record. CEL has no loops or recursion (macros such as
 * `all`/`map` walk a finite list), so an expression always ends; size and AST limits bound its cost.
 * `matches()` is refused: it runs a backtracking JavaScript RegExp on user input.
 */
const environment = new cel.Environment({
  homogeneousAggregateLiterals: false,
  limits: CEL_LIMITS,
});
environment.registerVariable('doc', 'dyn');
environment.registerVariable('meta', 'dyn');

/** Functions refused in expressions, and why. */
const REFUSED_FUNCTIONS: Record<string, string> = {
  matches: 'regular expressions are not allowed (they can backtrack); use contains, startsWith or endsWith',
};

export interface CompiledExpression {
  readonly source: string;
  /** Whether it reads `meta` (so the record's meta must be built). */
  readonly usesMeta: boolean;
  /** The value, JSON-ready (CEL ints come back as BigInt: numbers here). Throws on evaluation errors. */
  evaluate(doc: Doc, meta: () => RecordMeta): unknown;
}

function refusedCall(node: Cel.ASTNode): string | null {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const n = stack.pop();
    if (Array.isArray(n)) {
      stack.push(...n);
      continue;
    }
    if (typeof n !== 'object' || n === null || !('op' in n)) continue;
    const ast = n as Cel.ASTNode;
    if (ast.op === 'call' || ast.op === 'rcall') {
      const name = ast.args[0];
      if (typeof name === 'string' && REFUSED_FUNCTIONS[name]) return `${name}(): ${REFUSED_FUNCTIONS[name]}`;
    }
    stack.push(ast.args);
  }
  return null;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'invalid expression';
}

/** CEL values as JSON values: BigInt to number, bytes to base64, maps to objects. */
export function toJsonValue(v: unknown, depth = 0): unknown {
  if (depth > 64) throw new Error('expression result is nested too deeply');
  if (typeof v === 'bigint') return Number(v);
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map((x) => toJsonValue(x, depth + 1));
  if (v instanceof Map) {
    const out: Doc = {};
    for (const [k, x] of v) out[String(k)] = toJsonValue(x, depth + 1);
    return out;
  }
  if (v instanceof Date) return v.toISOString();
  const out: Doc = {};
  for (const [k, x] of Object.entries(v)) out[k] = toJsonValue(x, depth + 1);
  return out;
}

/** Compiles a CEL expression, or says why it cannot be. */
export function compileExpression(source: unknown): CompiledExpression | { error: string } {
  if (typeof source !== 'string') return { error: 'must be a CEL expression (a string)' };
  if (source.trim().length === 0) return { error: 'must not be empty' };
  if (Buffer.byteLength(source) > MAX_EXPRESSION_BYTES)
    return { error: `is longer than ${MAX_EXPRESSION_BYTES} bytes` };
  let parsed: Cel.ParseResult;
  try {
    parsed = environment.parse(source);
  } catch (e) {
    return { error: `is not valid CEL: ${firstLine(e)}` };
  }
  const checked = parsed.check();
  if (!checked.valid) return { error: `is not valid CEL: ${firstLine(checked.error)}` };
  const refused = refusedCall(parsed.ast);
  if (refused) return { error: refused };
  const usesMeta = /\bmeta\b/.test(source);
  const fn = parsed;
  return {
    source,
    usesMeta,
    evaluate(doc, meta) {
      return toJsonValue(fn(usesMeta ? { doc, meta: meta() } : { doc }));
    },
  };
}

/** A compiled `if`: true or false, or throws when the expression fails or is not a boolean. */
export function asCondition(expr: CompiledExpression): (doc: Doc, meta: () => RecordMeta) => boolean {
  return (doc, meta) => {
    const v = expr.evaluate(doc, meta);
    if (typeof v !== 'boolean')
      throw new Error(`condition gave ${v === null ? 'null' : typeof v}, not a boolean`);
    return v;
  };
}

export { firstLine as describeCelError };
