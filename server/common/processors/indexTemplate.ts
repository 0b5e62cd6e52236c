import { compileDateFormatter, instantOf, parseIso8601 } from './dateFormat';
import { MAX_INDEX_TEMPLATE_CHARS } from './limits';
import { getPath, pathProblem } from './paths';
import type { ConfigProblem, Doc } from './types';

/** Characters OpenSearch refuses in an index name (besides upper case). */
const FORBIDDEN = /[\\/*?"<>| ,#:]/;
const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20);

/** OpenSearch's index-name rules: lowercase, no forbidden character, not starting with - _ + ., not . or .., ≤ 255 bytes. */
export function isValidIndexName(name: string): boolean {
  return (
    name.length > 0 &&
    name !== '.' &&
    name !== '..' &&
    !/^[-_+.]/.test(name) &&
    !FORBIDDEN.test(name) &&
    !hasControl(name) &&
    name === name.toLowerCase() &&
    Buffer.byteLength(name, 'utf8') <= 255
  );
}

type Piece = { text: string } | { path: string; format: ((ms: number) => string) | null };

export interface CompiledIndexTemplate {
  readonly source: string;
  /** The OpenSearch index pattern every routed index matches (`orders-*`), for an index template. */
  readonly pattern: string;
  /** The index of a document, or null when a placeholder cannot be resolved or the name is invalid. */
  resolve(doc: Doc): string | null;
}

function dateValue(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return null;
  const p = parseIso8601(v);
  return p ? instantOf(p, 'UTC') : null;
}

/**
 * Compiles `indexTemplate` (`orders-{tenant}`, `logs-{service.name}-{@timestamp:yyyy.MM.dd}`): fixed
 * text and `{field}` or `{field:datePattern}` placeholders. A field must hold a string or a number
 * (a date placeholder: ISO 8601 text or epoch ms, formatted in UTC). The name is lower-cased.
 */
export function compileIndexTemplate(source: unknown): CompiledIndexTemplate | { problems: ConfigProblem[] } {
  const at = 'indexTemplate';
  const fail = (reason: string) => ({ problems: [{ path: at, reason }] });
  if (typeof source !== 'string') return fail('must be a string');
  if (source.length === 0) return fail('must not be empty');
  if (source.length > MAX_INDEX_TEMPLATE_CHARS)
    return fail(`must be at most ${MAX_INDEX_TEMPLATE_CHARS} characters`);
  const pieces: Piece[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{', i);
    const close = source.indexOf('}', i);
    if (close >= 0 && (open < 0 || close < open)) return fail(`has a "}" without "{" at ${close}`);
    if (open < 0) {
      pieces.push({ text: source.slice(i) });
      break;
    }
    if (open > i) pieces.push({ text: source.slice(i, open) });
    if (close < 0) return fail(`has an unclosed "{" at ${open}`);
    const inner = source.slice(open + 1, close);
    if (inner.includes('{')) return fail(`has a nested "{" at ${open}`);
    const colon = inner.indexOf(':');
    const path = colon < 0 ? inner : inner.slice(0, colon);
    const problem = pathProblem(path);
    if (problem) return fail(`placeholder "{${inner}}": the field ${problem}`);
    let format: ((ms: number) => string) | null = null;
    if (colon >= 0) {
      try {
        format = compileDateFormatter(inner.slice(colon + 1));
      } catch (e) {
        return fail(`placeholder "{${inner}}": the date pattern ${(e as Error).message}`);
      }
    }
    pieces.push({ path, format });
    i = close + 1;
  }
  const sample = pieces
    .map((p) => ('text' in p ? p.text : 'x'))
    .join('')
    .toLowerCase();
  if (!isValidIndexName(sample))
    return fail(
      'does not make a valid OpenSearch index name (no \\ / * ? " < > | space , # :, not starting with - _ + .)',
    );
  const firstPlaceholder = pieces.findIndex((p) => !('text' in p));
  const pattern =
    firstPlaceholder < 0
      ? sample
      : `${pieces
          .slice(0, firstPlaceholder)
          .map((p) => (p as { text: string }).text)
          .join('')
          .toLowerCase()}*`;
  return {
    source,
    pattern,
    resolve(doc) {
      let out = '';
      for (const p of pieces) {
        if ('text' in p) {
          out += p.text;
          continue;
        }
        const v = getPath(doc, p.path);
        if (p.format) {
          const ms = dateValue(v);
          if (ms === null) return null;
          out += p.format(ms);
        } else if (typeof v === 'string' && v.length > 0) out += v;
        else if (typeof v === 'number' && Number.isFinite(v)) out += String(v);
        else return null;
      }
      const name = out.toLowerCase();
      return isValidIndexName(name) ? name : null;
    },
  };
}
