/** Where commands print: human lines, or (with --output json) one JSON document. */
export interface Output {
  readonly json: boolean;
  line(text: string): void;
  data(value: unknown): void;
}

export function createOutput(
  format: string,
  write: (s: string) => void = (s) => process.stdout.write(s),
): Output {
  return {
    json: format === 'json',
    line: (text) => write(`${text}\n`),
    data: (value) => write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

/** Columns padded to their widest cell. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}
