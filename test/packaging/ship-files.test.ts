import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { buildConfig, envNameFor } from '../../server/common/config/load';
import { ConfigSchema } from '../../server/common/config/schema';
import { instr, readDockerfile } from '../helpers/dockerfile';

// The shipping files that cannot run here (no Docker engine, no Azure agent) checked as far as this
// machine allows, from their text alone: the Dockerfile's rules, docker-compose.yml and
// azure-pipelines.yaml parsed and cross-checked against the repo. Its two stages re-enacted on the
// real stack are in test/integration/image.test.ts.

const ROOT = path.resolve(__dirname, '../..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  version: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

/** The env names of the product contract, plus every SDP_<SECTION>_<KEY> the config loader reads. */
const CONTRACT_ENV = [
  'SDP_MYSQL_URL',
  'SDP_KAFKA_BROKERS',
  'SDP_OPENSEARCH_URL',
  'SDP_HTTP_PORT',
  'SDP_WORKER_PORT',
  'SDP_CONFIG',
  'SDP_ADMIN_TOKEN',
];
const CONFIG_ENV = Object.entries(ConfigSchema.properties as Record<string, { properties: object }>).flatMap(
  ([section, s]) => Object.keys(s.properties).map((key) => envNameFor(section, key)),
);

/** `dist/server/x/main.js` -> does `server/x/main.ts` exist? */
function entryPointExists(js: string): boolean {
  const m = /^dist\/(.+)\.js$/.exec(js);
  return m !== null && existsSync(path.join(ROOT, `${m[1]}.ts`));
}

// ---------------------------------------------------------------------------------------------------
// Dockerfile
const dockerfile = readDockerfile(ROOT);
const { builder, runtime } = dockerfile;

describe('Dockerfile', () => {
  it('has three stages, a builder, production deps and a runtime, whose base images are build args', () => {
    expect(dockerfile.stages).toHaveLength(3);
    const args = Object.fromEntries(
      dockerfile.globalArgs.filter((i) => i.cmd === 'ARG').map((i) => i.args.split('=') as [string, string]),
    );
    expect(args).toEqual({
      BUILD_IMAGE: expect.stringMatching(/^node:20/),
      BASE_IMAGE: expect.stringMatching(/^node:20/),
    });
    expect(builder.from).toMatch(/^(--platform=\$BUILDPLATFORM )?\$\{BUILD_IMAGE\} AS builder$/i);
    expect(runtime.from).toMatch(/^\$\{BASE_IMAGE\} AS runtime$/i);
  });

  it('compiles in the builder with dev dependencies; the runtime gets production dependencies and the compiled output only', () => {
    const builderRuns = instr(builder, 'RUN');
    expect(builderRuns.some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev/.test(r))).toBe(true);
    expect(builderRuns).toContain('npm run build');
    // tsc for the services, then the console's bundle (dist/console, served by mgmt at /console).
    expect(pkg.scripts.build).toMatch(/^tsc -p tsconfig\.build\.json && npm run build:console$/);

    const runtimeRuns = instr(runtime, 'RUN');
    expect(instr(dockerfile.deps, 'RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(runtimeRuns.some((r) => /\bnpm (ci|install)\b/.test(r))).toBe(false);
    const copies = instr(runtime, 'COPY');
    expect(copies).toContain('--from=deps /app/node_modules ./node_modules');
    expect(copies).toContain('--from=builder /src/dist ./dist');
    // package.json next to dist/: the app reads its version from it at run time.
    expect(copies.some((c) => /^package\.json package-lock\.json \.\/$/.test(c))).toBe(true);
    expect(copies).toContain('config ./config');
    expect(
      copies.some(
        (c) =>
          /\b(node_modules|test|src)\b/.test(c) &&
          !c.startsWith('--from=builder /src/dist') &&
          !c.startsWith('--from=deps /app/node_modules'),
      ),
    ).toBe(false);
  });

  it('runs as a numeric non-root user, matching the chart', () => {
    const user = instr(runtime, 'USER').at(-1);
    expect(user).toMatch(/^\d+(:\d+)?$/);
    const [uid, gid] = user!.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    const values = parseYaml(read('charts/sdp/values.yaml')) as {
      podSecurityContext: Record<string, number>;
    };
    expect(values.podSecurityContext).toMatchObject({ runAsUser: uid, runAsGroup: gid ?? uid });
  });

  it('starts in exec form with tini (from the distro) as PID 1 forwarding signals to node', () => {
    const entrypoint = JSON.parse(instr(runtime, 'ENTRYPOINT').at(-1)!) as string[];
    const cmd = JSON.parse(instr(runtime, 'CMD').at(-1)!) as string[];
    expect(entrypoint).toEqual(['/usr/bin/tini', '--']);
    expect(cmd[0]).toBe('node');
    expect(entryPointExists(cmd[1]!)).toBe(true);
    expect(instr(runtime, 'RUN').some((r) => /apt-get install .*\btini\b/.test(r))).toBe(true);
    expect(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).not.toMatch(/^# syntax=/m);
    expect(instr(runtime, 'EXPOSE')).toEqual(['13012 13013']);
  });

  it('downloads nothing architecture-specific (amd64 and arm64 both build)', () => {
    const all = [
      ...dockerfile.globalArgs,
      ...builder.instructions,
      ...dockerfile.deps.instructions,
      ...runtime.instructions,
    ];
    for (const i of all.filter((x) => x.cmd === 'RUN' || x.cmd === 'ADD')) {
      expect(i.args).not.toMatch(/\b(curl|wget)\b|https?:\/\//);
      expect(i.args).not.toMatch(/amd64|arm64|x86_64|aarch64|x64|uname/);
    }
    expect(all.filter((i) => i.cmd === 'ADD')).toEqual([]);
  });

  it('.dockerignore keeps the build context small without dropping what the Dockerfile copies', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(
      expect.arrayContaining(['.git', 'node_modules', 'dist', '.stack', '.tools', 'test', 'charts']),
    );
    const sources = [...instr(builder, 'COPY'), ...instr(runtime, 'COPY')]
      .filter((c) => !c.startsWith('--from='))
      .flatMap((c) => c.split(' ').slice(0, -1));
    for (const src of sources) {
      expect(existsSync(path.join(ROOT, src))).toBe(true);
      expect(
        ignored.filter((p) => p === src || src.startsWith(`${p}/`) || (p === '*.md' && src.endsWith('.md'))),
      ).toEqual([]);
    }
  });
});
// ---------------------------------------------------------------------------------------------------
// docker-compose.yml

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  user?: string;
  read_only?: boolean;
}

describe('docker-compose.yml', () => {
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const svc = compose.services;
  /** `${NAME:-default}` -> default, as compose would with NAME unset. */
  const interpolate = (env: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
    );

  it('has MariaDB, Kafka (KRaft), OpenSearch 2.19 without the security plugin, migrations, mgmt and a worker, each with a healthcheck', () => {
    expect(Object.keys(svc)).toEqual(
      expect.arrayContaining(['mariadb', 'kafka', 'opensearch', 'mgmt', 'worker']),
    );
    for (const name of ['mariadb', 'kafka', 'opensearch', 'mgmt', 'worker']) {
      expect({ name, test: svc[name]!.healthcheck?.test?.length ?? 0 }).toEqual({
        name,
        test: expect.any(Number),
      });
      expect(svc[name]!.healthcheck!.test.length).toBeGreaterThan(0);
    }
    const kafka = svc.kafka!;
    expect(kafka.image).toMatch(/^apache\/kafka:/);
    expect(kafka.environment!.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(Object.keys(kafka.environment!).some((k) => /ZOOKEEPER/.test(k))).toBe(false);
    expect(svc.opensearch!.image).toMatch(/^opensearchproject\/opensearch:2\.19(\.\d+)?$/);
    expect(svc.opensearch!.environment!.DISABLE_SECURITY_PLUGIN).toBe('true');
    expect(svc.mariadb!.image).toMatch(/^mariadb:/);
  });

  it('runs mgmt, worker and migrations from the one image, with entry points that exist', () => {
    const expected: Record<string, string> = {
      migrate: 'dist/server/common/db/migrate-cli.js',
      mgmt: 'dist/server/pipeline-mgmt/main.js',
      worker: 'dist/server/pipeline-worker/main.js',
    };
    for (const [name, entry] of Object.entries(expected)) {
      const s = svc[name]!;
      expect(s.command).toEqual(['node', entry]);
      expect(entryPointExists(entry)).toBe(true);
      expect(s.image).toBe(svc.mgmt!.image);
      expect(s.build).toBeDefined();
      expect(s.read_only).toBe(true);
      expect(s.user).toBe('1000:1000');
    }
    expect(svc.mgmt!.ports).toEqual(['127.0.0.1:13012:13012']);
    expect(svc.worker!.ports).toEqual(['127.0.0.1:13013:13013']);
    expect(svc.mgmt!.healthcheck!.test.join(' ')).toContain('13012/ready');
    expect(svc.worker!.healthcheck!.test.join(' ')).toContain('13013/ready');
  });

  it('waits on healthy services and successful migrations that exist', () => {
    for (const [name, s] of Object.entries(svc)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect({ name, dep, exists: dep in svc }).toEqual({ name, dep, exists: true });
        if (condition === 'service_healthy') expect(svc[dep]!.healthcheck).toBeDefined();
        else expect(condition).toBe('service_completed_successfully');
      }
    }
    expect(Object.keys(svc.mgmt!.depends_on!).sort()).toEqual(['kafka', 'migrate', 'opensearch']);
  });

  it("passes the app only environment names from the contract, and a config the app's loader accepts", () => {
    const raw = parseYaml(read('config/pipeline-config.yaml')) as unknown;
    for (const name of ['migrate', 'mgmt', 'worker']) {
      const env = interpolate(svc[name]!.environment!);
      for (const key of Object.keys(env)) {
        expect({ name, key, known: CONTRACT_ENV.includes(key) || CONFIG_ENV.includes(key) }).toEqual({
          name,
          key,
          known: true,
        });
      }
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining(['SDP_MYSQL_URL', 'SDP_KAFKA_BROKERS', 'SDP_OPENSEARCH_URL']),
      );
      const config = buildConfig(raw, env);
      expect(config.kafkaBrokers).toEqual(['kafka:19092']);
      expect(new URL(config.mysql.url).hostname).toBe('mariadb');
      expect(new URL(config.opensearch.url).hostname).toBe('opensearch');
    }
    expect(svc.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS).toContain('kafka:19092');
  });
});

// ---------------------------------------------------------------------------------------------------
// azure-pipelines.yaml

interface Step {
  script?: string;
  task?: string;
  inputs?: Record<string, string>;
  condition?: string;
}
interface Job {
  job: string;
  steps: Step[];
  strategy?: { matrix: Record<string, Record<string, string>> };
  dependsOn?: string | string[];
}
interface AzureStage {
  stage: string;
  jobs: Job[];
  dependsOn?: string | string[];
  condition?: string;
}

describe('azure-pipelines.yaml', () => {
  const pipeline = parseYaml(read('azure-pipelines.yaml')) as {
    variables: Array<{ name: string; value: unknown }>;
    stages: AzureStage[];
  };
  const stage = (name: string) => {
    const s = pipeline.stages.find((x) => x.stage === name);
    if (!s) throw new Error(`no stage ${name}`);
    return s;
  };
  const steps = (s: AzureStage) => s.jobs.flatMap((j) => j.steps);
  const scripts = (s: AzureStage) =>
    steps(s)
      .map((x) => x.script)
      .filter((x): x is string => typeof x === 'string');
  const tasks = (s: AzureStage) => steps(s).map((x) => x.task?.split('@')[0]);

  it('defines SDP_VERSION as package.json version, and the stages in order', () => {
    const version = pipeline.variables.find((v) => v.name === 'SDP_VERSION');
    expect(version?.value).toBe(pkg.version);
    expect(pipeline.stages.map((s) => s.stage)).toEqual(['Test', 'CodeAnalysis', 'Image', 'Chart']);
  });

  it('tests with install, tools, lint, build, the real stack and npm test', () => {
    const run = scripts(stage('Test'));
    for (const cmd of [
      'npm ci',
      'bash scripts/install-tools.sh',
      'npm run lint',
      'npm run build',
      'npm run stack',
    ]) {
      expect(run).toContain(cmd);
    }
    expect(run.some((s) => /^npm test\b/.test(s))).toBe(true);
    expect(steps(stage('Test')).find((s) => s.script === 'npm run stack:stop')?.condition).toBe('always()');
  });

  it('analyses the code with SonarQube and waits for the quality gate', () => {
    const analysis = stage('CodeAnalysis');
    expect(tasks(analysis)).toEqual(
      expect.arrayContaining(['SonarQubePrepare', 'SonarQubeAnalyze', 'SonarQubePublish']),
    );
    const prepare = steps(analysis).find((s) => s.task?.startsWith('SonarQubePrepare'))!;
    expect(prepare.inputs!.extraProperties).toMatch(/sonar\.qualitygate\.wait=true/);
    expect(prepare.inputs!.extraProperties).toMatch(/lcov/);
  });

  it('builds and pushes the image for amd64 and arm64, then a multi-arch manifest', () => {
    const image = stage('Image');
    const build = image.jobs.find((j) => j.strategy)!;
    expect(
      Object.values(build.strategy!.matrix)
        .map((m) => m.ARCH)
        .sort(),
    ).toEqual(['amd64', 'arm64']);
    const buildScript = scripts(image).find((s) => s.includes('docker buildx build'))!;
    expect(buildScript).toContain('--platform "linux/$(ARCH)"');
    expect(buildScript).toContain('--push');
    // Every --build-arg is an ARG the Dockerfile declares.
    const declared = [
      ...dockerfile.globalArgs.filter((i) => i.cmd === 'ARG'),
      ...runtime.instructions.filter((i) => i.cmd === 'ARG'),
    ].map((i) => i.args.split('=')[0]);
    const passed = [...buildScript.matchAll(/--build-arg (\w+)=/g)].map((m) => m[1]);
    expect(passed.sort()).toEqual(['BASE_IMAGE', 'BUILD_IMAGE', 'SDP_VERSION']);
    for (const a of passed) expect(declared).toContain(a);
    expect(scripts(image).join('\n')).toMatch(/docker buildx imagetools create[\s\S]*-amd64[\s\S]*-arm64/);
  });

  it('lints, packages and pushes the Helm chart, pointing it at the pushed image', () => {
    const chart = stage('Chart');
    const text = scripts(chart).join('\n');
    expect(text).toContain('bash scripts/install-tools.sh');
    expect(text).toMatch(/\.tools\/bin\/helm lint --strict charts\/sdp/);
    expect(text).toMatch(
      /\.tools\/bin\/helm package charts\/sdp[\s\S]*--version \$\(SDP_BUILD_VERSION\)[\s\S]*--app-version/,
    );
    expect(text).toMatch(/\.tools\/bin\/helm push /);
    // The sed that points the chart at the registry matches exactly one line of values.yaml: image.repository.
    const sed = /sed -i "s\|\^(.+?): \.\*\|/.exec(text);
    expect(sed).not.toBeNull();
    const lines = read('charts/sdp/values.yaml')
      .split('\n')
      .filter((l) => l.startsWith(`${sed![1]}:`));
    expect(lines).toEqual(['  repository: sdp/stream-data-pipeline']);
  });

  it('only runs commands that exist in the repo', () => {
    const all = pipeline.stages.flatMap((s) => scripts(s)).join('\n');
    for (const [, name] of all.matchAll(/npm run ([\w:-]+)/g))
      expect(Object.keys(pkg.scripts)).toContain(name);
    for (const [, file] of all.matchAll(/bash (scripts\/[\w./-]+)/g))
      expect(existsSync(path.join(ROOT, file!))).toBe(true);
    expect(pipeline.stages.find((s) => s.stage === 'Image')?.condition).toMatch(/isRelease/);
  });
});
