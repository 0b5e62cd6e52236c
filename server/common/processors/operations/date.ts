import { compileDateParser, DateParser, instantOf, isKnownTimeZone, parseIso8601 } from '../dateFormat';
import { MAX_DATE_FORMATS } from '../limits';
import { canSetPath, requirePath, setPath } from '../paths';
import { describeType, OperationFailure } from '../types';
import { fieldParam, OperationSpec, ParamError, stringParam } from './params';

type Reader = (v: unknown, zone: string) => number | null;

const NUMERIC = /^\s*[+-]?\d+(\.\d+)?\s*$/;
const asNumber = (v: unknown) =>
  typeof v === 'number' ? v : typeof v === 'string' && NUMERIC.test(v) ? Number(v) : null;

/** The exact form `toISOString` writes: parsed natively, the common case of already-normalised events. */
const ISO_UTC_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function readerFor(format: string): Reader {
  if (format === 'iso8601') {
    return (v, zone) => {
      if (typeof v !== 'string') return null;
      if (ISO_UTC_MILLIS.test(v)) {
        const ms = Date.parse(v);
        if (!Number.isNaN(ms)) return ms;
      }
      const p = parseIso8601(v);
      return p ? instantOf(p, zone) : null;
    };
  }
  if (format === 'epoch_millis') {
    return (v) => {
      const n = asNumber(v);
      return n === null || !Number.isFinite(n) ? null : Math.trunc(n);
    };
  }
  if (format === 'epoch_seconds') {
    return (v) => {
      const n = asNumber(v);
      return n === null || !Number.isFinite(n) ? null : Math.round(n * 1000);
    };
  }
  const parse: DateParser = compileDateParser(format);
  return (v, zone) => {
    if (typeof v !== 'string') return null;
    const p = parse(v);
    return p ? instantOf(p, zone) : null;
  };
}

/**
 * `date {field, targetField="@timestamp", formats=["iso8601"], timezone="UTC"}`: reads the value with
 * the first format that fits (`iso8601`, `epoch_millis`, `epoch_seconds` or a pattern such as
 * `yyyy-MM-dd HH:mm:ss`) and writes it as an ISO 8601 UTC timestamp. `timezone` (IANA) applies to
 * text without an offset.
 */
export const date: OperationSpec = {
  name: 'date',
  params: ['field', 'targetField', 'formats', 'timezone'],
  compile(p) {
    const field = fieldParam(p, 'field');
    const target = p.targetField === undefined ? '@timestamp' : fieldParam(p, 'targetField');
    const formats = p.formats === undefined ? ['iso8601'] : p.formats;
    if (!Array.isArray(formats) || formats.length === 0)
      throw new ParamError('formats', 'must be a non-empty list of formats');
    if (formats.length > MAX_DATE_FORMATS)
      throw new ParamError('formats', `must list at most ${MAX_DATE_FORMATS}`);
    const readers = formats.map((f, i) => {
      if (typeof f !== 'string' || f.length === 0 || f.length > 64)
        throw new ParamError(`formats[${i}]`, 'must be a format name or a pattern of at most 64 characters');
      try {
        return readerFor(f);
      } catch (e) {
        throw new ParamError(`formats[${i}]`, `is not a valid date pattern: it ${(e as Error).message}`);
      }
    });
    const zone = stringParam(p, 'timezone', 'UTC', 64);
    if (!isKnownTimeZone(zone)) throw new ParamError('timezone', 'is not a known IANA time zone');
    return {
      apply(doc) {
        const v = requirePath(doc, field);
        for (const read of readers) {
          const ms = read(v, zone);
          if (ms === null || !Number.isFinite(ms)) continue;
          const d = new Date(ms);
          if (Number.isNaN(d.getTime())) continue;
          const iso = d.toISOString();
          if (target === field && v === iso) return false; // already in this form: no change
          if (!canSetPath(doc, target))
            throw new OperationFailure(`cannot set "${target}": a parent on its path is not an object`);
          setPath(doc, target, iso);
          return true;
        }
        const shown = typeof v === 'string' ? ` "${v.slice(0, 64)}"` : ` (${describeType(v)})`;
        throw new OperationFailure(
          `field "${field}"${shown} matches none of the formats ${formats.join(', ')}`,
          'date_parse_failed',
        );
      },
    };
  },
};
