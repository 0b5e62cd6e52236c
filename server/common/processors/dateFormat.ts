/**
 * Date patterns in the Java/Joda style users know from OpenSearch (`yyyy-MM-dd HH:mm:ss`): compiled
 * once to a linear regular expression (parsing) or a list of pieces (formatting). Letters: yyyy yy
 * MM M dd d HH H mm m ss s SSS (1-9 S), XXX / Z (offset), 'quoted text'; other characters are literal.
 */

export type DateField =
  'year' | 'year2' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'fraction' | 'offset';

interface Token {
  field: DateField | null;
  /** The regex source of this piece (parsing), or the literal text (field null). */
  text: string;
  width: number;
}

const TOKENS: Array<[string, DateField, string]> = [
  ['yyyy', 'year', '(\\d{4})'],
  ['yy', 'year2', '(\\d{2})'],
  ['MM', 'month', '(\\d{2})'],
  ['M', 'month', '(\\d{1,2})'],
  ['dd', 'day', '(\\d{2})'],
  ['d', 'day', '(\\d{1,2})'],
  ['HH', 'hour', '(\\d{2})'],
  ['H', 'hour', '(\\d{1,2})'],
  ['mm', 'minute', '(\\d{2})'],
  ['m', 'minute', '(\\d{1,2})'],
  ['ss', 'second', '(\\d{2})'],
  ['s', 'second', '(\\d{1,2})'],
  ['XXX', 'offset', '(Z|[+-]\\d{2}:?\\d{2})'],
  ['Z', 'offset', '(Z|[+-]\\d{2}:?\\d{2})'],
];

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The pieces of a pattern, or throws an Error naming what is wrong. */
function tokenize(pattern: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new Error('has an unclosed quote');
      out.push({ field: null, text: end === i + 1 ? "'" : pattern.slice(i + 1, end), width: 0 });
      i = end + 1;
      continue;
    }
    if (c === 'S') {
      let n = 0;
      while (pattern[i + n] === 'S') n++;
      if (n > 9) throw new Error('has more than 9 S (fraction digits)');
      out.push({ field: 'fraction', text: `(\\d{${n}})`, width: n });
      i += n;
      continue;
    }
    const t = TOKENS.find(([k]) => pattern.startsWith(k, i));
    if (t) {
      // `yyy`, `MMM` and the like are not supported: refuse rather than misread them.
      const next = pattern[i + t[0].length];
      if (next === t[0][0] && t[0] !== 'XXX') throw new Error(`has an unsupported letter run at ${i}`);
      out.push({ field: t[1], text: t[2], width: t[0].length });
      i += t[0].length;
      continue;
    }
    if (/[A-Za-z]/.test(c)) throw new Error(`has an unsupported letter "${c}" (quote literal text with ')`);
    out.push({ field: null, text: c, width: 0 });
    i++;
  }
  if (!out.some((t) => t.field === 'year' || t.field === 'year2'))
    throw new Error('must contain a year (yyyy or yy)');
  return out;
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  /** Minutes east of UTC, when the text carried an offset. */
  offsetMinutes?: number;
}

function offsetMinutes(s: string): number {
  if (s === 'Z') return 0;
  const sign = s[0] === '-' ? -1 : 1;
  const digits = s.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

export type DateParser = (text: string) => DateParts | null;

/** Compiles a pattern to a parser of whole strings; throws an Error when the pattern is unusable. */
export function compileDateParser(pattern: string): DateParser {
  const tokens = tokenize(pattern);
  const fields = tokens.filter((t) => t.field !== null).map((t) => t.field as DateField);
  const re = new RegExp(`^${tokens.map((t) => (t.field ? t.text : escapeRegex(t.text))).join('')}$`);
  return (text) => {
    const m = re.exec(text);
    if (!m) return null;
    const p: DateParts = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, ms: 0 };
    fields.forEach((f, i) => {
      const s = m[i + 1]!;
      switch (f) {
        case 'year':
          p.year = Number(s);
          break;
        case 'year2':
          p.year = 2000 + Number(s);
          break;
        case 'fraction':
          p.ms = Math.floor(Number(`0.${s}`) * 1000);
          break;
        case 'offset':
          p.offsetMinutes = offsetMinutes(s);
          break;
        default:
          p[f] = Number(s);
      }
    });
    if (
      p.month < 1 ||
      p.month > 12 ||
      p.day < 1 ||
      p.day > 31 ||
      p.hour > 23 ||
      p.minute > 59 ||
      p.second > 60
    )
      return null;
    return p;
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Compiles a pattern to a formatter of UTC instants (ms); throws when the pattern is unusable. */
export function compileDateFormatter(pattern: string): (ms: number) => string {
  const tokens = tokenize(pattern);
  return (ms) => {
    const d = new Date(ms);
    let out = '';
    for (const t of tokens) {
      switch (t.field) {
        case null:
          out += t.text;
          break;
        case 'year':
          out += pad(d.getUTCFullYear(), 4);
          break;
        case 'year2':
          out += pad(d.getUTCFullYear() % 100, 2);
          break;
        case 'month':
          out += pad(d.getUTCMonth() + 1, t.width);
          break;
        case 'day':
          out += pad(d.getUTCDate(), t.width);
          break;
        case 'hour':
          out += pad(d.getUTCHours(), t.width);
          break;
        case 'minute':
          out += pad(d.getUTCMinutes(), t.width);
          break;
        case 'second':
          out += pad(d.getUTCSeconds(), t.width);
          break;
        case 'fraction':
          out += pad(d.getUTCMilliseconds(), 3).padEnd(t.width, '0').slice(0, t.width);
          break;
        case 'offset':
          out += 'Z';
          break;
      }
    }
    return out;
  };
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** Whether `zone` is an IANA time zone (or UTC) this runtime knows. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Minutes east of UTC of `zone` at the instant `ms`. */
function zoneOffsetMinutes(zone: string, ms: number): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  let f = zoneFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    zoneFormatters.set(zone, f);
  }
  const parts: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const asUtc = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/** The instant (ms) of parsed parts: their own offset if any, else wall time in `zone`. */
export function instantOf(p: DateParts, zone: string): number {
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.ms);
  if (p.offsetMinutes !== undefined) return wall - p.offsetMinutes * 60000;
  const first = wall - zoneOffsetMinutes(zone, wall) * 60000;
  return wall - zoneOffsetMinutes(zone, first) * 60000;
}

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** ISO 8601 date or date-time text (offset optional: then wall time in the zone). */
export function parseIso8601(text: string): DateParts | null {
  const m = ISO_8601.exec(text);
  if (!m) return null;
  const p: DateParts = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    ms: m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0,
  };
  if (m[8]) p.offsetMinutes = offsetMinutes(m[8]);
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.day > 31 || p.hour > 23 || p.minute > 59 || p.second > 60)
    return null;
  return p;
}
