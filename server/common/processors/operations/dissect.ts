import { MAX_DISSECT_PATTERN_CHARS } from '../limits';
import { canSetPath, pathProblem, requirePath, setPath } from '../paths';
import { describeType, OperationFailure } from '../types';
import { fieldParam, OperationSpec, ParamError, stringParam } from './params';

interface Key {
  /** Target field; null for a skipped key (`%{}` or `%{?name}`). */
  name: string | null;
  append: boolean;
  /** `->`: repeated delimiters after the value are skipped. */
  padded: boolean;
  /** The literal text after this key ('' for the last key: it takes the rest). */
  delimiter: string;
}

interface Pattern {
  prefix: string;
  keys: Key[];
}

/** Parses `%{a} %{b}`-style patterns; throws ParamError('pattern', ...) when unusable. */
export function compileDissect(pattern: string): Pattern {
  const re = /%\{([^}]*)\}/g;
  const keys: Key[] = [];
  let prefix = '';
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(pattern)) !== null) {
    const literal = pattern.slice(last, m.index);
    if (keys.length === 0) prefix = literal;
    else {
      if (literal.length === 0)
        throw new ParamError('pattern', 'two keys follow each other without text between them');
      keys[keys.length - 1]!.delimiter = literal;
    }
    let spec = m[1]!;
    const padded = spec.endsWith('->');
    if (padded) spec = spec.slice(0, -2);
    const append = spec.startsWith('+');
    const skip = spec === '' || spec.startsWith('?');
    const name = skip ? null : append ? spec.slice(1) : spec;
    if (name !== null) {
      const problem = pathProblem(name);
      if (problem) throw new ParamError('pattern', `key "${name}" ${problem}`);
    }
    keys.push({ name, append, padded, delimiter: '' });
    last = m.index + m[0].length;
  }
  if (keys.length === 0) throw new ParamError('pattern', 'has no %{key}');
  const tail = pattern.slice(last);
  if (tail.length > 0) keys[keys.length - 1]!.delimiter = tail;
  if (pattern.slice(last).includes('%{')) throw new ParamError('pattern', 'has an unclosed %{');
  return { prefix, keys };
}

/** The values of a pattern's keys in `text`, or null when it does not match. Linear in the text. */
export function runDissect(p: Pattern, text: string): Array<[Key, string]> | null {
  if (!text.startsWith(p.prefix)) return null;
  let pos = p.prefix.length;
  const out: Array<[Key, string]> = [];
  for (let i = 0; i < p.keys.length; i++) {
    const key = p.keys[i]!;
    const isLast = i === p.keys.length - 1;
    if (isLast && key.delimiter === '') {
      out.push([key, text.slice(pos)]);
      pos = text.length;
      break;
    }
    const end = isLast ? text.length - key.delimiter.length : text.indexOf(key.delimiter, pos);
    if (end < pos || (isLast && !text.endsWith(key.delimiter))) return null;
    out.push([key, text.slice(pos, end)]);
    pos = end + key.delimiter.length;
    if (key.padded) while (text.startsWith(key.delimiter, pos)) pos += key.delimiter.length;
  }
  return pos === text.length ? out : null;
}

/** `dissect {field, pattern}`: splits text by literal delimiters into fields (`%{name}`, `%{?skip}`, `%{+append}`, `%{name->}`). */
export const dissect: OperationSpec = {
  name: 'dissect',
  params: ['field', 'pattern'],
  compile(p) {
    const field = fieldParam(p, 'field');
    const pattern = compileDissect(stringParam(p, 'pattern', undefined, MAX_DISSECT_PATTERN_CHARS));
    return {
      apply(doc) {
        const v = requirePath(doc, field);
        if (typeof v !== 'string')
          throw new OperationFailure(
            `field "${field}" must be a string, got ${describeType(v)}`,
            'wrong_type',
          );
        const found = runDissect(pattern, v);
        if (!found)
          throw new OperationFailure(`field "${field}" does not match the dissect pattern`, 'no_match');
        const values = new Map<string, string>();
        for (const [key, value] of found) {
          if (key.name === null) continue;
          const prev = values.get(key.name);
          values.set(key.name, key.append && prev !== undefined ? `${prev} ${value}` : value);
        }
        for (const name of values.keys())
          if (!canSetPath(doc, name))
            throw new OperationFailure(`cannot set "${name}": a parent on its path is not an object`);
        for (const [name, value] of values) setPath(doc, name, value);
        return true;
      },
    };
  },
};
