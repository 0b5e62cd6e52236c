import { readFileSync } from 'node:fs';
import path from 'node:path';

// The repo's Dockerfile, parsed: read by its static checks (test/packaging/ship-files.test.ts) and by
// the re-enactment of its two stages on the real stack (test/integration/image.test.ts).

export interface Instruction {
  cmd: string;
  args: string;
}
export interface Stage {
  from: string;
  instructions: Instruction[];
}

/** Parses a Dockerfile: comments dropped, continuation lines joined, instructions split by stage. */
export function parseDockerfile(text: string): { globalArgs: Instruction[]; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let buf = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    const line = raw.trimEnd();
    if (line.endsWith('\\')) {
      buf += `${line.slice(0, -1)} `;
      continue;
    }
    buf += line;
    const m = /^\s*(\w+)\s+([\s\S]*)$/.exec(buf);
    if (m) instructions.push({ cmd: m[1]!.toUpperCase(), args: m[2]!.replace(/\s+/g, ' ').trim() });
    buf = '';
  }
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const i of instructions) {
    if (i.cmd === 'FROM') stages.push({ from: i.args, instructions: [] });
    else if (stages.length === 0) globalArgs.push(i);
    else stages[stages.length - 1]!.instructions.push(i);
  }
  return { globalArgs, stages };
}

/** The arguments of a stage's `cmd` instructions, in order. */
export const instr = (s: Stage, cmd: string) =>
  s.instructions.filter((i) => i.cmd === cmd).map((i) => i.args);
export const workdir = (s: Stage) => instr(s, 'WORKDIR').at(-1) ?? '/';

/** The Dockerfile at the root of the repo, with its builder and runtime stages. */
export function readDockerfile(root: string) {
  const dockerfile = parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
  const [builder, deps, runtime] = dockerfile.stages as [Stage, Stage, Stage];
  return { ...dockerfile, builder, deps, runtime };
}
