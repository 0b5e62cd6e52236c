/** Display helpers: numbers, sizes, ages. */

const num = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export function fmtNumber(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : num.format(n);
}

export function fmtPercent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '–' : `${num.format(ratio * 100)} %`;
}

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${num.format(v)} ${units[u]}`;
}

export function fmtSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined) return '–';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${num.format(s / 3600)} h`;
}

/** "12 s ago" for an ISO time, relative to now. */
export function fmtAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${fmtSeconds(Math.max(0, (now - t) / 1000))} ago`;
}

/** The lag trend in words and an arrow: growing lag means the pipeline falls behind. */
export function lagTrend(perMin: number | null): { arrow: string; label: string; cls: string } {
  if (perMin === null) return { arrow: '', label: 'no trend yet', cls: 'trend-none' };
  if (perMin > 0) return { arrow: '▲', label: `growing ${fmtNumber(perMin)}/min`, cls: 'trend-up' };
  if (perMin < 0) return { arrow: '▼', label: `shrinking ${fmtNumber(-perMin)}/min`, cls: 'trend-down' };
  return { arrow: '■', label: 'steady', cls: 'trend-flat' };
}
