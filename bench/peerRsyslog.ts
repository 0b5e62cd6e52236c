import type { Client } from '@opensearch-project/opensearch';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { indexedSoFar, processStats, waitUntil } from './processes';

/** What a reference drainer did on the same topic, into its own fresh index. */
export interface PeerResult {
  peer: string;
  docs_per_s: number;
  cpu_us_per_doc: number;
  peak_rss_mb: number;
  indexed: number;
  exactly_once: false;
}

const RSYSLOGD = '/usr/sbin/rsyslogd';

/**
 * rsyslog (Debian's rsyslog-kafka + rsyslog-elasticsearch) as a reference drainer: imkafka from the
 * beginning of `topic` into omelasticsearch, bulk mode, batches of 2,000 with 4 worker threads.
 * Its traps: `esVersion.major="8"` (or it writes `_type`, which OpenSearch refuses), `%rawmsg%`
 * (the value as received, not a syslog line) and a `maxMessageSize` above the record size (or
 * records are cut). No ids and commits before indexing: not exactly once; invalid records are
 * refused by OpenSearch and only logged in its error file.
 */
export async function runRsyslogPeer(opts: {
  client: Client;
  brokers: string[];
  opensearchUrl: string;
  topic: string;
  index: string;
  createIndex: (index: string) => Promise<void>;
  valid: number;
  workDir: string;
  timeoutMs: number;
}): Promise<PeerResult> {
  if (!existsSync(RSYSLOGD))
    throw new Error('--peer rsyslog needs rsyslogd: apt-get install rsyslog-kafka rsyslog-elasticsearch');
  mkdirSync(opts.workDir, { recursive: true });
  const url = new URL(opts.opensearchUrl);
  await opts.createIndex(opts.index);
  const conf = `
global(workDirectory="${opts.workDir}" maxMessageSize="256k")
module(load="imkafka")
module(load="omelasticsearch")
template(name="raw" type="string" string="%rawmsg%")
ruleset(name="toOpenSearch" queue.type="LinkedList" queue.size="100000" queue.dequeueBatchSize="2000" queue.workerThreads="4") {
  action(type="omelasticsearch" server="${url.hostname}" serverport="${url.port || '9200'}"
         searchIndex="${opts.index}" template="raw" bulkmode="on" maxbytes="100m"
         esVersion.major="8" errorFile="${path.join(opts.workDir, 'errors.json')}")
}
input(type="imkafka" topic="${opts.topic}" broker=[${opts.brokers.map((b) => `"${b}"`).join(',')}]
      consumergroup="bench-rsyslog-${Date.now()}" confParam=["auto.offset.reset=smallest"] ruleset="toOpenSearch")
`;
  const confFile = path.join(opts.workDir, 'rsyslog.conf');
  writeFileSync(confFile, conf);
  const child = spawn(RSYSLOGD, ['-n', '-f', confFile, '-i', path.join(opts.workDir, 'rsyslog.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const pid = child.pid as number;
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, processStats(pid).peakRssMb);
    } catch {
      /* gone */
    }
  }, 200);
  const count = async () => (await opts.client.count({ index: opts.index })).body.count as number;
  let firstAt = 0;
  let cpuAtFirst = 0;
  let countAtFirst = 0;
  try {
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`rsyslogd exited ${child.exitCode}: ${tail}`);
        const n = await indexedSoFar(opts.client, opts.index);
        if (n > 0 && !firstAt) {
          firstAt = Date.now();
          cpuAtFirst = processStats(pid).cpuSec;
          countAtFirst = n;
        }
        return n >= opts.valid;
      },
      opts.timeoutMs,
      'rsyslog to index every valid record',
      100,
    );
    const doneAt = Date.now();
    const cpu = processStats(pid).cpuSec - cpuAtFirst;
    peakRss = Math.max(peakRss, processStats(pid).peakRssMb);
    await opts.client.indices.refresh({ index: opts.index });
    const indexed = await count();
    return {
      peer: 'rsyslog',
      docs_per_s: Math.round(opts.valid / Math.max(0.001, (doneAt - firstAt) / 1000)),
      cpu_us_per_doc: Math.round((cpu * 1e6) / Math.max(1, opts.valid - countAtFirst)),
      peak_rss_mb: Math.round(peakRss),
      indexed,
      exactly_once: false,
    };
  } finally {
    clearInterval(sampler);
    if (child.exitCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    await opts.client.indices.delete({ index: opts.index }).catch(() => undefined);
  }
}
