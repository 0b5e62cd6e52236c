import { isOneLineJsonObject } from '../../server/common/prepare/jsonObjectScan';
import { makeInvalid, makeRecord } from '../../bench/records';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** What the full path (decode + JSON.parse) says: one JSON object, on one line, without a BOM. */
function parsesAsOneLineObject(b: Buffer): boolean {
  if (b.includes(0x0a) || b.includes(0x0d) || (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf)) return false;
  try {
    const v: unknown = JSON.parse(utf8.decode(b));
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** A small deterministic generator (xorshift32), so a failing case is the same on every run. */
function random(seed: number) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const CASES = [
  '{}',
  ' \t{ } \t',
  '{"a":1}',
  '{"a":-0.5e+10,"b":[1,2,{"c":null}],"d":true,"e":false,"f":"x\\"y\\\\z\\/\\b\\f\\n\\r\\t\\u00e9"}',
  '{"ü":"日本","emoji":"😀"}',
  '{"a":[]}',
  '{"a":[[],[[]],{}]}',
  '{"a" : 1 , "b" : [ 1 , 2 ] }',
  '{"dup":1,"dup":2}',
  '{"lone":"\\ud800"}',
  '{"n":0}',
  '{"n":-0}',
  '{"n":1E5}',
  // refused by both
  '',
  ' ',
  '[]',
  '[{}]',
  '"text"',
  '42',
  'null',
  '{',
  '}',
  '{"a"}',
  '{"a":}',
  '{"a":1,}',
  '{,"a":1}',
  '{"a":1}}',
  '{"a":1} {}',
  '{"a":[1,]}',
  '{"a":[,1]}',
  '{"a":01}',
  '{"a":1.}',
  '{"a":.5}',
  '{"a":+1}',
  '{"a":1e}',
  '{"a":-}',
  '{"a":tru}',
  '{"a":nulls}',
  '{"a":"\\x"}',
  '{"a":"\\u12"}',
  '{"a":"\\u12G4"}',
  '{"a":"tab\there"}',
  '{"a":"unterminated}',
  "{'a':1}",
  '{a:1}',
  '{"a":1]',
  '{"a":[1}',
  '{"a":NaN}',
  '{"a":Infinity}',
  // the full path's business: line breaks, a BOM
  '{"a":1}\n',
  '{\r\n"a":1}',
  '\ufeff{"a":1}',
];

describe('isOneLineJsonObject: the same verdict as decode + JSON.parse, without building anything', () => {
  it.each(CASES)('%j', (text) => {
    const b = Buffer.from(text, 'utf8');
    expect(isOneLineJsonObject(b)).toBe(parsesAsOneLineObject(b));
  });

  it('accepts every valid benchmark record and refuses every invalid one', () => {
    for (let seq = 0; seq < 300; seq++) {
      expect(isOneLineJsonObject(Buffer.from(JSON.stringify(makeRecord(seq, 1024))))).toBe(true);
      const bad = Buffer.from(makeInvalid(seq));
      expect({ seq, verdict: isOneLineJsonObject(bad) }).toEqual({
        seq,
        verdict: parsesAsOneLineObject(bad),
      });
    }
  });

  it('refuses invalid UTF-8 and nesting deeper than it tracks (the full path decides those)', () => {
    expect(isOneLineJsonObject(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))).toBe(
      false,
    );
    const deep = Buffer.from(`{"a":${'['.repeat(600)}${']'.repeat(600)}}`);
    expect(parsesAsOneLineObject(deep)).toBe(true);
    expect(isOneLineJsonObject(deep)).toBe(false);
  });

  it('agrees with decode + JSON.parse on 20,000 mutations of real records (bytes replaced, cut, dropped)', () => {
    const next = random(0x5eed);
    const alphabet = Buffer.from('{}[]",:\\ \t0123456789.eE+-tfnrulsaxu\u00e9', 'utf8');
    let disagreements: string[] = [];
    for (let k = 0; k < 20_000; k++) {
      const b = Buffer.from(JSON.stringify(makeRecord(k % 50, 200 + (k % 7) * 100)));
      const edits = 1 + Math.floor(next() * 3);
      let m = b;
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * m.length);
        const kind = next();
        if (kind < 0.6) {
          m = Buffer.from(m);
          m[at] = next() < 0.9 ? alphabet[Math.floor(next() * alphabet.length)]! : Math.floor(next() * 256);
        } else if (kind < 0.8) m = m.subarray(0, at);
        else m = Buffer.concat([m.subarray(0, at), m.subarray(at + 1)]);
      }
      if (isOneLineJsonObject(m) !== parsesAsOneLineObject(m)) disagreements.push(m.toString('latin1'));
    }
    disagreements = disagreements.slice(0, 5);
    expect(disagreements).toEqual([]);
  });
});
