import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Prints where a V8 CPU profile (.cpuprofile) spends its time: self time per function, top N. */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function latest(dir: string): string {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  const last = files[files.length - 1];
  if (!last) throw new Error(`no .cpuprofile in ${dir}`);
  return path.join(dir, last);
}

function main(): void {
  const file = process.argv[2] ?? latest(path.join(__dirname, '..', '..', 'bench', 'results'));
  const top = Number(process.argv[3] ?? 25);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const cf = byId.get(id)?.callFrame;
    if (!cf) return;
    // A dependency by its package path, our own code by its dist/ path.
    const url = cf.url.includes('node_modules/')
      ? cf.url.replace(/.*node_modules\//, '')
      : cf.url.replace(/.*\/dist\//, 'dist/');
    const key = `${cf.functionName || '(anonymous)'} ${url}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const area = cf.url.includes('node_modules/')
      ? url.startsWith('@')
        ? url.split('/').slice(0, 2).join('/')
        : (url.split('/')[0] ?? '?')
      : cf.url.includes('/dist/')
        ? 'sdp'
        : cf.url.startsWith('node:')
          ? 'node'
          : cf.functionName || '(vm)';
    byArea.set(area, (byArea.get(area) ?? 0) + dt);
  });
  const pct = (v: number) => `${((v / total) * 100).toFixed(1).padStart(5)}%`;
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
  console.log('\nby area:');
  for (const [k, v] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${pct(v)}  ${k}`);
  console.log('\nby function (self time):');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
}

main();
