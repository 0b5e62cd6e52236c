import { requirePath, setPath } from '../paths';
import { describeType, OperationFailure } from '../types';
import { enumParam, fieldParam, OperationSpec } from './params';

export const CONVERT_TYPES = ['integer', 'float', 'boolean', 'string'] as const;
type Target = (typeof CONVERT_TYPES)[number];

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const FLOAT_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function fail(v: unknown, type: Target): never {
  const shown = typeof v === 'string' ? ` "${v.length > 64 ? `${v.slice(0, 64)}...` : v}"` : '';
  throw new OperationFailure(`cannot convert ${describeType(v)}${shown} to ${type}`, 'conversion_failed');
}

/** One value to `type`; integers from floats are truncated toward zero. */
export function convertValue(v: unknown, type: Target): unknown {
  switch (type) {
    case 'integer': {
      if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'string' && INTEGER_TEXT.test(v)) {
        const n = Number(v);
        if (Number.isSafeInteger(n)) return n;
      }
      if (typeof v === 'string' && FLOAT_TEXT.test(v)) {
        const n = Math.trunc(Number(v));
        if (Number.isSafeInteger(n)) return n;
      }
      return fail(v, type);
    }
    case 'float': {
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'string' && FLOAT_TEXT.test(v)) return Number(v);
      return fail(v, type);
    }
    case 'boolean': {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
      if (typeof v === 'string') {
        const t = v.trim().toLowerCase();
        if (t === 'true' || t === '1' || t === 'yes') return true;
        if (t === 'false' || t === '0' || t === 'no') return false;
      }
      return fail(v, type);
    }
    case 'string': {
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      if (v !== null && typeof v === 'object') return JSON.stringify(v);
      return fail(v, type);
    }
  }
}

/** `convert {field, type}`: to integer, float, boolean or string (each element of an array). */
export const convert: OperationSpec = {
  name: 'convert',
  params: ['field', 'type'],
  compile(p) {
    const field = fieldParam(p, 'field');
    const type = enumParam(p, 'type', CONVERT_TYPES);
    return {
      apply(doc) {
        const v = requirePath(doc, field);
        const out =
          Array.isArray(v) && type !== 'string' ? v.map((x) => convertValue(x, type)) : convertValue(v, type);
        if (out === v) return false;
        setPath(doc, field, out);
        return true;
      },
    };
  },
};
