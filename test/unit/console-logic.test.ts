import { parseProcessors, parseRecords } from '../../console/src/simulateInput';
import { fmtAgo, fmtBytes, fmtPercent, lagTrend } from '../../console/src/format';
import { filterAndSort, ListRow } from '../../console/src/pipelineFilter';
import { describeProcessor } from '../../console/src/processors';
import type { ObservedState, Pipeline } from '../../console/src/types';

const row = (name: string, status: ObservedState, team: string | null = null): ListRow => ({
  pipeline: { name, team, observed: { status } } as unknown as Pipeline,
  lastFlushAt: null,
});

describe('console: the pipeline list order and filters', () => {
  const rows = [
    row('zeta', 'running', 'shop'),
    row('alpha', 'stopped', 'web'),
    row('beta', 'failed', 'shop'),
    row('gamma', 'degraded', null),
    row('delta', 'running', null),
  ];
  const names = (r: ListRow[]) => r.map((x) => x.pipeline.name);

  it('puts failures first, then degraded, and sorts by name within a state', () => {
    expect(names(filterAndSort(rows, { status: '', team: '', search: '' }))).toEqual([
      'beta',
      'gamma',
      'delta',
      'zeta',
      'alpha',
    ]);
  });
  it('filters by observed status, team (or no team) and a case-insensitive name part', () => {
    expect(names(filterAndSort(rows, { status: 'running', team: '', search: '' }))).toEqual([
      'delta',
      'zeta',
    ]);
    expect(names(filterAndSort(rows, { status: '', team: 'shop', search: '' }))).toEqual(['beta', 'zeta']);
    expect(names(filterAndSort(rows, { status: '', team: '-', search: '' }))).toEqual(['gamma', 'delta']);
    expect(names(filterAndSort(rows, { status: '', team: '', search: 'ET' }))).toEqual(['beta', 'zeta']);
  });
});

describe('console: processors shown whatever their shape', () => {
  it('reads a type-like field, a single-key object or a plain string', () => {
    expect(describeProcessor({ type: 'rename', from: 'a', to: 'b' })).toEqual({
      kind: 'rename',
      settings: 'from: a, to: b',
    });
    expect(describeProcessor({ drop: { fields: ['x', 'y'] } })).toEqual({
      kind: 'drop',
      settings: 'fields: ["x","y"]',
    });
    expect(describeProcessor('lowercase')).toEqual({ kind: 'lowercase', settings: '' });
    expect(describeProcessor({ a: 1, b: 2 })).toEqual({ kind: 'processor', settings: 'a: 1, b: 2' });
    expect(describeProcessor(null)).toEqual({ kind: 'null', settings: '' });
  });
});

describe('console: formats', () => {
  it('shows the lag trend as falling behind, catching up or steady', () => {
    expect(lagTrend(12)).toMatchObject({ arrow: '▲', cls: 'trend-up', label: 'growing 12/min' });
    expect(lagTrend(-3.5)).toMatchObject({ arrow: '▼', cls: 'trend-down', label: 'shrinking 3.5/min' });
    expect(lagTrend(0)).toMatchObject({ cls: 'trend-flat' });
    expect(lagTrend(null)).toMatchObject({ cls: 'trend-none' });
  });
  it('formats sizes, ratios and ages', () => {
    expect(fmtBytes(1536)).toBe('1.5 KiB');
    expect(fmtBytes(null)).toBe('–');
    expect(fmtPercent(0.125)).toBe('12.5 %');
    expect(fmtPercent(null)).toBe('–');
    const now = Date.parse('2026-01-01T00:10:00Z');
    expect(fmtAgo('2026-01-01T00:09:48Z', now)).toBe('12 s ago');
    expect(fmtAgo('2026-01-01T00:00:00Z', now)).toBe('10 min ago');
    expect(fmtAgo(null, now)).toBe('never');
  });
});

describe('console: the Simulate section reads what is typed', () => {
  it('takes a JSON array, or one record per line with non-JSON lines sent as strings', () => {
    expect(parseRecords('[{"a":1}, "x"]')).toEqual([{ a: 1 }, 'x']);
    expect(parseRecords('{"a":1}\n\n{broken\n[1]\n')).toEqual([{ a: 1 }, '{broken', '[1]']);
    expect(parseRecords('  ')).toEqual([]);
    expect(() => parseRecords('[1,')).toThrow();
  });

  it("takes processors as a JSON array; empty means the pipeline's own", () => {
    expect(parseProcessors('')).toBeUndefined();
    expect(parseProcessors('[{"drop":{}}]')).toEqual([{ drop: {} }]);
    expect(() => parseProcessors('{"drop":{}}')).toThrow('processors must be a JSON array');
  });
});
