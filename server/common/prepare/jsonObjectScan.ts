import { isUtf8 } from 'node:buffer';

/** Deeper nesting is left to JSON.parse (the caller's fallback). */
const MAX_DEPTH = 512;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** The containers open during a scan (1 = object, 2 = array): one array for every scan, none runs concurrently. */
const OPEN_CONTAINERS = new Uint8Array(MAX_DEPTH);

const isDigit = (c: number) => c >= ZERO && c <= NINE;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
/** `"`, `\`, `/`, `b`, `f`, `n`, `r`, `t`: what may follow a backslash besides `u`. */
const isSimpleEscape = (c: number) =>
  c === QUOTE ||
  c === BACKSLASH ||
  c === 0x2f ||
  c === 0x62 ||
  c === 0x66 ||
  c === 0x6e ||
  c === 0x72 ||
  c === 0x74;

/** Spaces and tabs: a line break anywhere makes the scan answer false (the bulk body is one line per document). */
function skipBlanks(b: Uint8Array, i: number): number {
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09)) i++;
  return i;
}

/** The index after the string starting at `i` (its opening quote), or -1. */
function skipString(b: Uint8Array, i: number): number {
  const n = b.length;
  i++;
  while (i < n) {
    const c = b[i]!;
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      const e = b[i + 1];
      if (e === undefined) return -1;
      if (e === 0x75) {
        if (i + 5 >= n || !isHex(b[i + 2]!) || !isHex(b[i + 3]!) || !isHex(b[i + 4]!) || !isHex(b[i + 5]!))
          return -1;
        i += 6;
      } else if (isSimpleEscape(e)) i += 2;
      else return -1;
    } else if (c < 0x20) return -1;
    else i++;
  }
  return -1;
}

/** The index after the number starting at `i`, or -1: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. */
function skipNumber(b: Uint8Array, i: number): number {
  if (b[i] === MINUS) i++;
  if (b[i] === ZERO) i++;
  else if (i < b.length && isDigit(b[i]!)) while (i < b.length && isDigit(b[i]!)) i++;
  else return -1;
  if (b[i] === DOT) {
    i++;
    if (!(i < b.length && isDigit(b[i]!))) return -1;
    while (i < b.length && isDigit(b[i]!)) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === PLUS || b[i] === MINUS) i++;
    if (!(i < b.length && isDigit(b[i]!))) return -1;
    while (i < b.length && isDigit(b[i]!)) i++;
  }
  return i;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function skipWord(b: Uint8Array, i: number, word: number[]): number {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return -1;
  return i + word.length;
}

/** The index after the scalar (string, number, true, false, null) at `i`, or -1. */
function skipScalar(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === 0x74) return skipWord(b, i, TRUE);
  if (c === 0x66) return skipWord(b, i, FALSE);
  if (c === 0x6e) return skipWord(b, i, NULL);
  return skipNumber(b, i);
}

/**
 * Whether `value` is, byte for byte, one JSON object on one line that `JSON.parse` of its UTF-8 text
 * accepts: valid UTF-8 without a BOM, the JSON grammar (RFC 8259), no line break (CR or LF) anywhere,
 * nesting up to 512 levels. It builds nothing, so it costs no garbage; `false` means "not sure",
 * never "invalid": the caller then decodes and parses, which says what is wrong.
 */
export function isOneLineJsonObject(value: Uint8Array): boolean {
  if (!isUtf8(value)) return false;
  const b = value;
  const n = b.length;
  const open = OPEN_CONTAINERS;
  let depth = 0;
  let i = skipBlanks(b, 0);
  if (b[i] !== OPEN_OBJECT) return false;
  // `i` is at a value's first byte: open a container, or skip a scalar.
  for (;;) {
    const c = b[i];
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === MAX_DEPTH) return false;
      open[depth++] = c === OPEN_OBJECT ? 1 : 2;
      i = skipBlanks(b, i + 1);
      const closer = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
      if (b[i] === closer) {
        depth--;
        i++;
      } else if (c === OPEN_OBJECT) {
        // The first member's key and colon; its value follows.
        if (b[i] !== QUOTE || (i = skipString(b, i)) < 0) return false;
        i = skipBlanks(b, i);
        if (b[i] !== COLON) return false;
        i = skipBlanks(b, i + 1);
        continue;
      } else continue;
    } else if ((i = skipScalar(b, i)) < 0) return false;
    // After a value: a comma and the next member or element, or closers, or the end.
    for (;;) {
      i = skipBlanks(b, i);
      if (depth === 0) return i === n;
      const inObject = open[depth - 1] === 1;
      const d = b[i];
      if (d === COMMA) {
        i = skipBlanks(b, i + 1);
        if (inObject) {
          if (b[i] !== QUOTE || (i = skipString(b, i)) < 0) return false;
          i = skipBlanks(b, i);
          if (b[i] !== COLON) return false;
          i = skipBlanks(b, i + 1);
        }
        break;
      }
      if (d !== (inObject ? CLOSE_OBJECT : CLOSE_ARRAY)) return false;
      depth--;
      i++;
    }
  }
}
