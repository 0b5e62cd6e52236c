/**
 * A pipeline's processors (when the API has them) as a numbered list, without depending on their
 * exact shape: a string is shown as is; an object by its type-like field and its other settings.
 */
export function describeProcessor(p: unknown): { kind: string; settings: string } {
  if (typeof p === 'string') return { kind: p, settings: '' };
  if (p === null || typeof p !== 'object') return { kind: String(p), settings: '' };
  const o = p as Record<string, unknown>;
  const kindKey = ['type', 'kind', 'name', 'processor'].find((k) => typeof o[k] === 'string');
  if (kindKey) {
    const rest = Object.fromEntries(Object.entries(o).filter(([k]) => k !== kindKey));
    return { kind: String(o[kindKey]), settings: settingsText(rest) };
  }
  // { rename: { from, to } }: one key naming the processor.
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0]) return { kind: keys[0], settings: settingsText(o[keys[0]]) };
  return { kind: 'processor', settings: settingsText(o) };
}

function settingsText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'object') return String(v);
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return '';
  return entries.map(([k, x]) => `${k}: ${typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join(', ');
}
