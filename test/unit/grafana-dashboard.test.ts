import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Registry } from 'prom-client';
import { findAppRoot } from '../../server/common/paths';
import { createMgmtMetrics } from '../../server/pipeline-mgmt/driveradapters/metrics';
import { ROUTES } from '../../server/pipeline-mgmt/driveradapters/routes';
import { createWorkerMetrics } from '../../server/pipeline-worker/driveradapters/metrics';
import { testLogger } from '../helpers';

// docs/grafana/sdp-dashboard.json may only chart metrics the services really expose.
const root = findAppRoot(__dirname);
const dashboard = JSON.parse(
  readFileSync(path.join(root, 'docs', 'grafana', 'sdp-dashboard.json'), 'utf8'),
) as {
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; query?: unknown; definition?: string }> };
};
interface Panel {
  title: string;
  type: string;
  panels?: Panel[];
  targets?: Array<{ expr: string }>;
}

const panels = (list: Panel[]): Panel[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
const expressions = [
  ...panels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
  ...dashboard.templating.list.map((v) => v.definition ?? ''),
];
const referenced = new Set(expressions.flatMap((e) => e.match(/\bsdp_[a-z0-9_]+/g) ?? []));

/** Every sample name a registry exposes: histograms add _bucket, _sum and _count. */
async function exposed(registry: Registry): Promise<Set<string>> {
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    // prom-client's typings say a numeric enum; at run time the type is the exposition's word.
    const type = String(m.type);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

describe('Grafana dashboard', () => {
  let names: Set<string>;
  let custom: string[];
  beforeAll(async () => {
    const worker = createWorkerMetrics();
    const mgmt = createMgmtMetrics({
      routes: ROUTES,
      pipelineCounts: async () => ({
        desired: { running: 0, stopped: 0 },
        observed: { starting: 0, running: 0, degraded: 0, failed: 0, stopping: 0, stopped: 0 },
      }),
      logger: testLogger(),
    });
    names = new Set([...(await exposed(worker.registry)), ...(await exposed(mgmt.registry))]);
    const all = [...(await worker.registry.getMetricsAsJSON()), ...(await mgmt.registry.getMetricsAsJSON())];
    custom = all.map((m) => m.name).filter((n) => !/_(process|nodejs)_/.test(n));
  });

  it('is a dashboard with panels, a data source variable and a pipeline variable', () => {
    expect(dashboard.uid).toBe('sdp-pipelines');
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'pipeline']);
    expect(expressions.length).toBeGreaterThan(20);
  });

  it('references only metrics the worker and mgmt registries expose', () => {
    expect(referenced.size).toBeGreaterThan(20);
    expect([...referenced].filter((n) => !names.has(n))).toEqual([]);
  });

  it("charts every one of sdp's own metrics", () => {
    const charted = (n: string) => [...referenced].some((r) => r === n || r.startsWith(`${n}_`));
    expect(custom.length).toBeGreaterThan(20);
    expect(custom.filter((n) => !charted(n))).toEqual([]);
  });
});
