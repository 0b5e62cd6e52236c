import { fmtNumber } from '../format';

export interface Sample {
  at: number;
  value: number | null;
}

const W = 560;
const H = 120;
/** The shortest time axis (ms), so the first samples do not fill the whole width. */
const MIN_SPAN_MS = 60_000;
const PAD = { left: 56, right: 8, top: 8, bottom: 20 };

/**
 * One series over time as an SVG line (no chart library: one polyline and two axes). Gaps where
 * the value was unknown. The table below it carries the same numbers for screen readers.
 */
export function TimeChart(props: {
  title: string;
  unit: string;
  samples: Sample[];
  windowMs: number;
  now: number;
}) {
  const { samples, windowMs, now } = props;
  const known = samples.filter((s): s is { at: number; value: number } => s.value !== null);
  const max = Math.max(1, ...known.map((s) => s.value));
  // The x axis spans what this tab saw: from the first sample (at least a minute) up to windowMs.
  const first = samples[0]?.at ?? now;
  const span = Math.min(windowMs, Math.max(MIN_SPAN_MS, now - first));
  const from = now - span;
  const x = (t: number) => PAD.left + ((t - from) / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const segments: string[] = [];
  let current: string[] = [];
  for (const s of samples) {
    if (s.value === null) {
      if (current.length) segments.push(current.join(' '));
      current = [];
    } else current.push(`${x(s.at).toFixed(1)},${y(s.value).toFixed(1)}`);
  }
  if (current.length) segments.push(current.join(' '));
  const last = known[known.length - 1];
  return (
    <figure class="chart">
      <figcaption>
        {props.title}: <strong>{last ? `${fmtNumber(last.value)} ${props.unit}` : 'no data yet'}</strong>
        <span class="muted">
          {' '}
          (max {fmtNumber(known.length ? max : null)}, {known.length} samples)
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.title} over the last ${fmtSpan(span)}`}>
        <line class="axis" x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} />
        <line class="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={H - PAD.bottom} />
        <text class="tick" x={PAD.left - 4} y={PAD.top + 8} text-anchor="end">
          {fmtNumber(max)}
        </text>
        <text class="tick" x={PAD.left - 4} y={H - PAD.bottom} text-anchor="end">
          0
        </text>
        <text class="tick" x={PAD.left} y={H - 4}>
          −{fmtSpan(span)}
        </text>
        <text class="tick" x={W - PAD.right} y={H - 4} text-anchor="end">
          now
        </text>
        {segments.map((pts, i) =>
          pts.includes(' ') ? (
            <polyline key={i} class="series" points={pts} />
          ) : (
            <circle key={i} class="series-dot" cx={pts.split(',')[0]} cy={pts.split(',')[1]} r="2.5" />
          ),
        )}
      </svg>
    </figure>
  );
}

function fmtSpan(ms: number): string {
  const min = Math.round(ms / 60_000);
  return min >= 60 ? '60 min' : `${min} min`;
}
