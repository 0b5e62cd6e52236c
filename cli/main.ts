#!/usr/bin/env node
import { Command } from 'commander';
import { CliError, createApiClient } from './apiClient';
import { apply } from './commands/apply';
import { describePipeline, getPipelines, listErrors } from './commands/read';
import { simulate } from './commands/simulate';
import { listVersions, rollback } from './commands/versions';
import { positiveArg } from './args';
import { listReplays, ReplayArgs, startReplay } from './commands/replay';
import { createOutput } from './output';

/** The `sdp` command line: pipelines as YAML files, applied through pipeline-mgmt's REST API. */
export function buildProgram(): Command {
  const program = new Command('sdp')
    .description("sdp's command line: apply pipelines from YAML, look at them and at their failed records")
    .option('--url <url>', 'pipeline-mgmt (default $SDP_URL, else http://127.0.0.1:13012)')
    .option('--token <token>', 'API token (default $SDP_TOKEN)')
    .option('-o, --output <format>', 'text or json', 'text')
    .showHelpAfterError()
    .exitOverride();
  const ctx = () => {
    const g = program.opts<{ url?: string; token?: string; output: string }>();
    if (g.output !== 'text' && g.output !== 'json')
      throw new CliError(`--output ${g.output}: expected text or json`);
    return {
      api: createApiClient({
        url: g.url ?? process.env.SDP_URL ?? 'http://127.0.0.1:13012',
        token: g.token ?? process.env.SDP_TOKEN,
      }),
      out: createOutput(g.output),
    };
  };
  program
    .command('apply')
    .description('create or change the pipelines declared in YAML files (kind: Pipeline, the API fields)')
    .option('-f, --filename <path...>', 'a YAML file or a directory of them', [])
    .option('--dry-run', 'print what would change, change nothing', false)
    .option('--prune', 'delete pipelines of --selector that no file declares', false)
    .option('--selector <team=NAME|name=PREFIX>', 'which pipelines --prune may delete')
    .action(async (o: { filename: string[]; dryRun: boolean; prune: boolean; selector?: string }) => {
      const { api, out } = ctx();
      await apply(api, { files: o.filename, dryRun: o.dryRun, prune: o.prune, selector: o.selector }, out);
    });
  program
    .command('get')
    .description('list resources: pipelines')
    .argument('<resource>', 'pipelines')
    .action(async (resource: string) => {
      if (resource !== 'pipelines' && resource !== 'pipeline')
        throw new CliError(`get ${resource}: only pipelines`);
      const { api, out } = ctx();
      await getPipelines(api, out);
    });
  program
    .command('describe')
    .description('a pipeline with its observed status and tasks')
    .argument('<resource>', 'pipeline')
    .argument('<name>')
    .action(async (resource: string, name: string) => {
      if (resource !== 'pipeline') throw new CliError(`describe ${resource}: only pipeline`);
      const { api, out } = ctx();
      await describePipeline(api, name, out);
    });
  program
    .command('errors')
    .description("a pipeline's newest failed records")
    .argument('<name>')
    .option('--stage <stage>')
    .option('--reason <reason>')
    .option('--limit <n>', 'at most this many', '50')
    .action(async (name: string, o: { stage?: string; reason?: string; limit: string }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new CliError(`--limit ${o.limit}: expected a positive integer`);
      const { api, out } = ctx();
      await listErrors(api, name, { stage: o.stage, reason: o.reason, limit }, out);
    });
  program
    .command('simulate')
    .description(
      "what records would become through the pipeline a YAML file declares (an existing one: with the file's processors, indexTemplate, schema, idField), checked against the live mapping",
    )
    .requiredOption('-f, --filename <path>', 'a YAML file with one Pipeline')
    .requiredOption('--records <path>', 'the records: a JSON array, NDJSON, or YAML')
    .option('--fail-on-failed', 'exit 3 when a record would fail', false)
    .action(async (o: { filename: string; records: string; failOnFailed: boolean }) => {
      const { api, out } = ctx();
      await simulate(api, { file: o.filename, records: o.records, failOnFailed: o.failOnFailed }, out);
    });
  program
    .command('versions')
    .description("a pipeline's versions, newest first; --diff V: what changed since version V")
    .argument('<name>')
    .option('--diff <version>', 'show the changes from this version to the current one')
    .action(async (name: string, o: { diff?: string }) => {
      const { api, out } = ctx();
      await listVersions(api, name, o, out);
    });
  program
    .command('rollback')
    .description("a new version with an earlier version's settings (tested and audited like an update)")
    .argument('<name>')
    .argument('<version>')
    .action(async (name: string, version: string) => {
      const { api, out } = ctx();
      await rollback(api, name, version, out);
    });
  program
    .command('replay')
    .description(
      "replay a pipeline's failed records through its current configuration (a worker performs it)",
    )
    .argument('<name>')
    .option('--stage <stage>', 'only records refused at this stage')
    .option('--reason <reason>', 'only this failure class (errorType)')
    .option('--since <time>', 'written to the error topic at or after (ISO time)')
    .option('--until <time>', 'written to the error topic before (ISO time)')
    .option('--if <expr>', 'a CEL condition over the error envelope (doc)')
    .option('--dry-run', 'write nothing; report what would happen', false)
    .option('--max <n>', 'at most this many records')
    .option('--rate <n>', 'records per second at most')
    .option('--wait', 'wait for it to end and print its counts', false)
    .action(
      async (
        name: string,
        o: Omit<ReplayArgs, 'max' | 'rate' | 'pollMs'> & { max?: string; rate?: string },
      ) => {
        const max = o.max === undefined ? undefined : positiveArg('--max', o.max);
        const rate = o.rate === undefined ? undefined : positiveArg('--rate', o.rate, false);
        const { api, out } = ctx();
        await startReplay(api, name, { ...o, max, rate }, out);
      },
    );
  program
    .command('replays')
    .description("a pipeline's replays: status and counts")
    .argument('<name>')
    .option('--cancel <id>', 'cancel this running replay')
    .action(async (name: string, o: { cancel?: string }) => {
      const { api, out } = ctx();
      await listReplays(api, name, o, out);
    });
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2; // commander printed why
    process.stderr.write(`sdp: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof CliError ? e.exitCode : 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
