import type { Sample } from './components/timeChart';
import { CHART_WINDOW_MS } from './settings';

/**
 * Lag and records/s of each pipeline as this tab saw them (the API reports the current values;
 * it keeps no history). Kept in memory for the tab, pruned to the last hour.
 */
const byPipeline = new Map<string, { lag: Sample[]; rate: Sample[] }>();

export function record(id: string, at: number, lag: number | null, rate: number): void {
  const h = byPipeline.get(id) ?? { lag: [], rate: [] };
  byPipeline.set(id, h);
  const last = h.lag[h.lag.length - 1];
  if (last && last.at === at) return;
  h.lag.push({ at, value: lag });
  h.rate.push({ at, value: rate });
  const from = at - CHART_WINDOW_MS;
  while (h.lag[0] && h.lag[0].at < from) h.lag.shift();
  while (h.rate[0] && h.rate[0].at < from) h.rate.shift();
}

export function historyOf(id: string): { lag: Sample[]; rate: Sample[] } {
  return byPipeline.get(id) ?? { lag: [], rate: [] };
}
