/**
 * The records typed into the Simulate section: a JSON array, or one record per line (NDJSON). A
 * line that is not JSON is sent as is, as a string record (what a producer's broken value looks
 * like), so a parse failure can be tried too.
 */
export function parseRecords(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    const v: unknown = JSON.parse(trimmed);
    if (!Array.isArray(v)) throw new Error('expected a JSON array of records');
    return v;
  }
  return trimmed
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        const v: unknown = JSON.parse(l);
        return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : l;
      } catch {
        return l;
      }
    });
}

/** The processors to try: empty text = the pipeline's own (undefined), else a JSON array. */
export function parseProcessors(text: string): unknown[] | undefined {
  if (text.trim() === '') return undefined;
  const v: unknown = JSON.parse(text);
  if (!Array.isArray(v)) throw new Error('processors must be a JSON array');
  return v;
}
