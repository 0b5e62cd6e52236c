import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { buildConfig } from '../../server/common/config/load';
import { ConfigSchema } from '../../server/common/config/schema';

// The Helm chart, checked with a real helm (built by scripts/install-tools.sh into .tools/bin) and the
// rendered manifests validated offline against the Kubernetes schemas (kubernetes-validate in .tools/venv).
// A missing tool fails the suite; it never skips.

const ROOT = path.resolve(__dirname, '../..');
const CHART = path.join(ROOT, 'charts', 'sdp');
const FULL_VALUES = path.join(CHART, 'ci', 'full-values.yaml');
const HELM = path.join(ROOT, '.tools', 'bin', 'helm');
const KUBERNETES_VALIDATE = path.join(ROOT, '.tools', 'venv', 'bin', 'kubernetes-validate');
const KUBE_VERSIONS = ['1.29.0', '1.33.0'];
const INSTALL_HINT =
  'run `bash scripts/install-tools.sh` (installs helm and kubernetes-validate into .tools/)';

/** Environment variables that carry credentials: they must always come from a Secret. */
const CREDENTIAL_ENV = [
  'SDP_MYSQL_URL',
  'SDP_MQ_USERNAME',
  'SDP_MQ_PASSWORD',
  'SDP_OPENSEARCH_USERNAME',
  'SDP_OPENSEARCH_PASSWORD',
  'SDP_ADMIN_TOKEN',
];
/** Config keys that are credentials and so have no place in values' `config` (nor in the ConfigMap). */
const CREDENTIAL_KEYS = [
  'mq.username',
  'mq.password',
  'mysql.url',
  'opensearch.username',
  'opensearch.password',
];

type Json = Record<string, unknown>;
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: Json;
  data?: Record<string, string>;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Container {
  name: string;
  args?: string[];
  env?: EnvVar[];
  envFrom?: unknown[];
  ports?: Array<{ name: string; containerPort: number }>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
  securityContext?: Json & { capabilities?: { drop?: string[] } };
  resources?: { requests?: Json; limits?: Json };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Json;
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
}

let helmHome: string;

function helm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(HELM, args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      HELM_CACHE_HOME: path.join(helmHome, 'cache'),
      HELM_CONFIG_HOME: path.join(helmHome, 'config'),
      HELM_DATA_HOME: path.join(helmHome, 'data'),
    },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `helm template` with the given extra args; fails the test with helm's message when it fails. */
function renderText(args: string[] = [], kubeVersion = '1.33.0'): string {
  const r = helm([
    'template',
    'rel',
    CHART,
    '--namespace',
    'sdp-test',
    '--kube-version',
    kubeVersion,
    ...args,
  ]);
  if (r.status !== 0) throw new Error(`helm template ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

function render(args: string[] = []): Manifest[] {
  return parseAllDocuments(renderText(args))
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

function only(ms: Manifest[], kind: string, nameSuffix = ''): Manifest {
  const found = ms.filter((m) => m.kind === kind && m.metadata.name.endsWith(nameSuffix));
  if (found.length !== 1) {
    throw new Error(
      `expected one ${kind} *${nameSuffix}, got ${found.map((m) => m.metadata.name).join(', ')}`,
    );
  }
  return found[0]!;
}

function podSpec(m: Manifest): PodSpec {
  return (m.spec as { template: { spec: PodSpec } }).template.spec;
}

function allContainers(m: Manifest): Container[] {
  const spec = podSpec(m);
  return [...(spec.initContainers ?? []), ...spec.containers];
}

function workloads(ms: Manifest[]): Manifest[] {
  return ms.filter((m) => ['Deployment', 'Job', 'StatefulSet', 'DaemonSet'].includes(m.kind));
}

function decodeSecret(m: Manifest): Record<string, string> {
  return Object.fromEntries(
    Object.entries(m.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

function kubernetesValidate(text: string, kubeVersion: string) {
  const file = path.join(helmHome, `manifests-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  const r = spawnSync(KUBERNETES_VALIDATE, ['--strict', '-k', kubeVersion, file], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const fullValues = parseYaml(readFileSync(FULL_VALUES, 'utf8')) as {
  credentials: Record<string, string>;
  mgmt: { replicas: number };
  workers: { autoscaling: { minReplicas: number; maxReplicas: number } };
};

beforeAll(() => {
  for (const [tool, file] of [
    ['helm', HELM],
    ['kubernetes-validate', KUBERNETES_VALIDATE],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${tool} is missing (${file}): ${INSTALL_HINT}`);
  }
  helmHome = mkdtempSync(path.join(tmpdir(), 'sdp-helm-'));
});

afterAll(() => {
  if (helmHome) rmSync(helmHome, { recursive: true, force: true });
});

describe('helm chart charts/sdp', () => {
  it('passes `helm lint --strict` with the default values and with the full example values', () => {
    for (const extra of [[], ['-f', FULL_VALUES]]) {
      const r = helm(['lint', '--strict', CHART, ...extra]);
      expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: expect.any(String) });
      expect(r.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('renders by default: mgmt and worker Deployments and Services, ConfigMap, Secret, PDBs, migration hook; no optional extras', () => {
    const kinds = render()
      .map((m) => `${m.kind}/${m.metadata.name}`)
      .sort();
    expect(kinds).toEqual(
      [
        'ConfigMap/rel-sdp-config',
        'Deployment/rel-sdp-mgmt',
        'Deployment/rel-sdp-worker',
        'Job/rel-sdp-migrate',
        'PodDisruptionBudget/rel-sdp-mgmt',
        'PodDisruptionBudget/rel-sdp-worker',
        'Secret/rel-sdp',
        'Secret/rel-sdp-migrate',
        'Service/rel-sdp-mgmt',
        'Service/rel-sdp-worker',
      ].sort(),
    );
  });

  it('renders ServiceMonitor, Ingress and HPA only when enabled, wired to the right Services and Deployment', () => {
    const ms = render(['-f', FULL_VALUES]);
    const sm = only(ms, 'ServiceMonitor');
    const smSpec = sm.spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: Array<{ port: string; path: string }>;
    };
    expect(smSpec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    // mgmt's /metrics may need a token (server.metricsRequireAuth): sent from a Secret.
    expect(smSpec.endpoints[0]).toMatchObject({
      authorization: { type: 'Bearer', credentials: { name: 'sdp-metrics-scraper', key: 'token' } },
    });
    // One endpoint scrapes both Services: mgmt and workers.
    const scraped = ms.filter((m) => m.kind === 'Service');
    expect(scraped.map((svc) => svc.metadata.labels?.['app.kubernetes.io/component']).sort()).toEqual([
      'mgmt',
      'worker',
    ]);
    for (const svc of scraped) {
      expect(svc.metadata.labels).toMatchObject(smSpec.selector.matchLabels);
    }
    expect(sm.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });

    const ingress = only(ms, 'Ingress');
    const backend = (
      ingress.spec as { rules: Array<{ http: { paths: Array<{ backend: { service: Json } }> } }> }
    ).rules[0]!.http.paths[0]!.backend.service;
    expect(backend).toEqual({ name: only(ms, 'Service', '-mgmt').metadata.name, port: { name: 'http' } });

    const hpa = only(ms, 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: only(ms, 'Deployment', '-worker').metadata.name },
      minReplicas: fullValues.workers.autoscaling.minReplicas,
      maxReplicas: fullValues.workers.autoscaling.maxReplicas,
    });
    // With the HPA in charge, the worker Deployment leaves replicas alone.
    expect(only(ms, 'Deployment', '-worker').spec).not.toHaveProperty('replicas');

    const defaults = render();
    for (const kind of ['ServiceMonitor', 'Ingress', 'HorizontalPodAutoscaler']) {
      expect(defaults.filter((m) => m.kind === kind)).toEqual([]);
    }
  });

  it('honours mgmt and worker replica counts', () => {
    const ms = render(['--set', 'mgmt.replicas=4', '--set', 'workers.replicas=7']);
    expect(only(ms, 'Deployment', '-mgmt').spec).toMatchObject({ replicas: 4 });
    expect(only(ms, 'Deployment', '-worker').spec).toMatchObject({ replicas: 7 });
    const full = render(['-f', FULL_VALUES]);
    expect(only(full, 'Deployment', '-mgmt').spec).toMatchObject({ replicas: fullValues.mgmt.replicas });
  });

  it('gives both Deployments startup/liveness probes on /health and a readiness probe on /ready, on the port the app listens on', () => {
    for (const ms of [render(), render(['-f', FULL_VALUES])]) {
      const cm = only(ms, 'ConfigMap');
      const cfg = parseYaml(cm.data!['pipeline-config.yaml']!) as {
        server: { httpPort: number; workerPort: number };
      };
      for (const [suffix, port, entry] of [
        ['-mgmt', cfg.server.httpPort, 'dist/server/pipeline-mgmt/main.js'],
        ['-worker', cfg.server.workerPort, 'dist/server/pipeline-worker/main.js'],
      ] as const) {
        const deploy = only(ms, 'Deployment', suffix);
        const [c, ...others] = podSpec(deploy).containers;
        expect(others).toEqual([]);
        const heapFlags = suffix === '-worker' ? ['--max-old-space-size=192'] : [];
        expect(c!.args).toEqual(['node', ...heapFlags, entry]);
        expect(c!.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: port })]);
        expect(c!.livenessProbe?.httpGet).toEqual({ path: '/health', port: 'http' });
        expect(c!.startupProbe?.httpGet).toEqual({ path: '/health', port: 'http' });
        expect(c!.readinessProbe?.httpGet).toEqual({ path: '/ready', port: 'http' });
        expect(c!.resources?.requests).toEqual(
          expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }),
        );
        expect(c!.resources?.limits).toEqual(expect.objectContaining({ memory: expect.anything() }));
        // The grace period outlasts the app's own bounded shutdown.
        const shutdown = (
          parseYaml(cm.data!['pipeline-config.yaml']!) as { server: { shutdownTimeoutSec: number } }
        ).server.shutdownTimeoutSec;
        expect(podSpec(deploy).terminationGracePeriodSeconds).toBeGreaterThan(shutdown);
      }
      // Services route to the named port.
      for (const svc of ms.filter((m) => m.kind === 'Service')) {
        expect((svc.spec as { ports: Json[] }).ports).toEqual([
          expect.objectContaining({ targetPort: 'http' }),
        ]);
      }
    }
  });

  it('runs every container non-root, read-only, without privilege escalation and with ALL capabilities dropped', () => {
    for (const ms of [
      render(),
      render(['-f', FULL_VALUES]),
      render(['--set', 'migrations.mode=initContainer']),
    ]) {
      const pods = workloads(ms);
      expect(pods.length).toBeGreaterThanOrEqual(2);
      for (const w of pods) {
        const spec = podSpec(w);
        expect(spec.securityContext).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(spec.securityContext!.runAsUser).toBeGreaterThan(0);
        expect(spec.automountServiceAccountToken).toBe(false);
        for (const c of allContainers(w)) {
          expect(c.securityContext).toMatchObject({
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            runAsNonRoot: true,
          });
          expect(c.securityContext?.capabilities?.drop).toEqual(['ALL']);
        }
      }
    }
  });

  it('references credentials from the Secret (secretKeyRef) and never inlines them', () => {
    const ms = render(['-f', FULL_VALUES]);
    const secret = only(ms, 'Secret', 'sdp-prod');
    const values = fullValues.credentials;
    const secrets = [
      values.mysqlUrl,
      values.mqPassword,
      values.opensearchPassword,
      values.adminToken,
    ] as string[];
    // The Secret holds them ...
    expect(decodeSecret(secret)).toMatchObject({
      'mysql-url': values.mysqlUrl,
      'mq-username': values.mqUsername,
      'mq-password': values.mqPassword,
      'opensearch-username': values.opensearchUsername,
      'opensearch-password': values.opensearchPassword,
      'admin-token': values.adminToken,
    });
    // ... and nothing else shows them in clear: not the ConfigMap, not any env value, not any annotation.
    const clear = ms.filter((m) => m.kind !== 'Secret').map((m) => JSON.stringify(m));
    for (const s of secrets) {
      for (const text of clear) expect(text).not.toContain(s);
    }
    for (const w of workloads(ms)) {
      for (const c of allContainers(w)) {
        expect(c.envFrom).toBeUndefined();
        for (const e of c.env ?? []) {
          if (!CREDENTIAL_ENV.includes(e.name)) continue;
          expect(e.value).toBeUndefined();
          expect(e.valueFrom?.secretKeyRef?.name).toMatch(/^sdp-prod(-migrate)?$/);
        }
      }
      // Each long-running service gets every credential.
      if (w.kind === 'Deployment') {
        const names = podSpec(w).containers[0]!.env!.map((e) => e.name);
        expect(names).toEqual(expect.arrayContaining(CREDENTIAL_ENV));
      }
    }
  });

  it('uses an existing Secret when given, and creates none', () => {
    const ms = render(['--set', 'credentials.existingSecret=platform-sdp-credentials']);
    expect(ms.filter((m) => m.kind === 'Secret')).toEqual([]);
    for (const w of workloads(ms)) {
      for (const c of allContainers(w)) {
        const refs = (c.env ?? [])
          .filter((e) => e.valueFrom?.secretKeyRef)
          .map((e) => e.valueFrom!.secretKeyRef!.name);
        expect(refs.length).toBeGreaterThan(0);
        expect(new Set(refs)).toEqual(new Set(['platform-sdp-credentials']));
      }
    }
  });

  it('generates an admin token when none is given', () => {
    const secret = only(render(), 'Secret', 'rel-sdp');
    expect(decodeSecret(secret)['admin-token']).toMatch(/^[A-Za-z0-9]{40}$/);
  });

  it('puts the full pipeline config, and no credential, in the ConfigMap; the app accepts it', () => {
    const ms = render(['-f', FULL_VALUES]);
    const text = only(ms, 'ConfigMap').data!['pipeline-config.yaml']!;
    const cfg = parseYaml(text) as Record<string, Record<string, unknown>>;
    for (const key of CREDENTIAL_KEYS) {
      const [section, k] = key.split('.') as [string, string];
      expect(cfg[section] ?? {}).not.toHaveProperty(k);
    }
    expect(text).not.toMatch(/password/i);
    // Every non-credential key of the app's schema is set from values.
    const schema = ConfigSchema.properties as Record<string, { properties: Record<string, unknown> }>;
    for (const [section, s] of Object.entries(schema)) {
      for (const key of Object.keys(s.properties)) {
        if (CREDENTIAL_KEYS.includes(`${section}.${key}`)) continue;
        expect({ key: `${section}.${key}`, set: cfg[section]?.[key] !== undefined }).toEqual({
          key: `${section}.${key}`,
          set: true,
        });
      }
    }
    // The app's own loader takes the ConfigMap plus the env the pods get from the Secret.
    const creds = fullValues.credentials;
    const config = buildConfig(cfg, {
      SDP_MYSQL_URL: creds.mysqlUrl,
      SDP_MQ_USERNAME: creds.mqUsername,
      SDP_MQ_PASSWORD: creds.mqPassword,
      SDP_OPENSEARCH_USERNAME: creds.opensearchUsername,
      SDP_OPENSEARCH_PASSWORD: creds.opensearchPassword,
      SDP_ADMIN_TOKEN: creds.adminToken,
      SDP_KAFKA_BROKERS: 'kafka-0.kafka-headless.resource.svc:9097,kafka-1.kafka-headless.resource.svc:9097',
    });
    expect(config.mq).toMatchObject({ username: 'anyrobot', saslMechanism: 'scram-sha-512', ssl: true });
    expect(config.mysql.url).toBe(creds.mysqlUrl);
    expect(config.server.flushMiB).toBe(8);
    expect(config.kafkaBrokers).toHaveLength(2);
    // The default values too.
    const defaults = parseYaml(only(render(), 'ConfigMap').data!['pipeline-config.yaml']!) as unknown;
    expect(() => buildConfig(defaults, { SDP_MYSQL_URL: 'mysql://sdp:sdp@mariadb:3306/sdp' })).not.toThrow();
  });

  it('runs database migrations as a pre-install/pre-upgrade hook Job (or an init container when asked)', () => {
    const ms = render();
    const job = only(ms, 'Job', '-migrate');
    expect(job.metadata.annotations?.['helm.sh/hook']?.split(',').sort()).toEqual([
      'pre-install',
      'pre-upgrade',
    ]);
    const spec = podSpec(job) as PodSpec & { restartPolicy: string };
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.containers[0]!.args).toEqual(['node', 'dist/server/common/db/migrate-cli.js']);
    // A pre-install hook runs before the release's Secret exists: the Job's Secret is a hook too, created first.
    const ref = spec.containers[0]!.env!.find((e) => e.name === 'SDP_MYSQL_URL')!.valueFrom!.secretKeyRef!;
    const hookSecret = only(ms, 'Secret', '-migrate');
    expect(ref.name).toBe(hookSecret.metadata.name);
    expect(hookSecret.metadata.annotations?.['helm.sh/hook']).toBe(
      job.metadata.annotations?.['helm.sh/hook'],
    );
    expect(Number(hookSecret.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(
      Number(job.metadata.annotations?.['helm.sh/hook-weight']),
    );
    expect(Object.keys(hookSecret.data ?? {})).toEqual(['mysql-url']);

    const init = render(['--set', 'migrations.mode=initContainer']);
    expect(init.filter((m) => m.kind === 'Job')).toEqual([]);
    const initContainers = podSpec(only(init, 'Deployment', '-mgmt')).initContainers ?? [];
    expect(initContainers.map((c) => c.args)).toEqual([['node', 'dist/server/common/db/migrate-cli.js']]);

    expect(render(['--set', 'migrations.enabled=false']).filter((m) => m.kind === 'Job')).toEqual([]);
  });

  it.each([
    ['a negative worker count', ['--set', 'workers.replicas=-1'], /workers\/replicas/],
    ['a worker count given as a string', ['--set-string', 'workers.replicas=3'], /workers\/replicas/],
    ['a password in the ConfigMap values', ['--set', 'config.mq.password=hunter2'], /config\/mq.*password/],
    [
      'a database URL in the ConfigMap values',
      ['--set', 'config.mysql.url=mysql://a:b@c/d'],
      /config\/mysql.*url/,
    ],
    ['an out-of-range port', ['--set', 'config.server.httpPort=70000'], /httpPort/],
    ['an unknown log level', ['--set', 'config.log.logLevel=loud'], /logLevel/],
    ['an unknown top-level key (typo)', ['--set', 'worker.replicas=3'], /worker/],
    ['an unknown migrations mode', ['--set', 'migrations.mode=later'], /migrations\/mode/],
    ['no database URL and no existing Secret', ['--set', 'credentials.mysqlUrl='], /mysqlUrl/],
    ['a malformed Kafka broker', ['--set', 'kafkaBrokers[0]=kafka'], /kafkaBrokers/],
    [
      'HPA minReplicas above maxReplicas',
      [
        '--set',
        'workers.autoscaling.enabled=true',
        '--set',
        'workers.autoscaling.minReplicas=9',
        '--set',
        'workers.autoscaling.maxReplicas=3',
      ],
      /minReplicas/,
    ],
  ])('refuses %s', (_what, args, message) => {
    const r = helm(['template', 'rel', CHART, ...args]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it('renders manifests that pass offline Kubernetes schema validation (kubernetes-validate --strict)', () => {
    const variants: Array<[string, string[]]> = [
      ['defaults', []],
      ['full values', ['-f', FULL_VALUES]],
      [
        'init-container migrations + existing Secret',
        ['--set', 'migrations.mode=initContainer', '--set', 'credentials.existingSecret=x'],
      ],
    ];
    for (const kube of KUBE_VERSIONS) {
      for (const [what, args] of variants) {
        const text = renderText(args, kube);
        const docs = parseAllDocuments(text).filter((d) => d.contents !== null).length;
        const r = kubernetesValidate(text, kube);
        expect({
          what,
          kube,
          status: r.status,
          errors: r.out.split('\n').filter((l) => /ERROR/.test(l)),
        }).toEqual({
          what,
          kube,
          status: 0,
          errors: [],
        });
        const passed = r.out.split('\n').filter((l) => /passed for resource/.test(l)).length;
        // Every resource passed, except the Prometheus Operator's ServiceMonitor, which has no
        // built-in schema (its shape is checked above).
        const unknown = r.out.split('\n').filter((l) => /Couldn't find schema/.test(l));
        expect(unknown.every((l) => /kind ServiceMonitor/.test(l))).toBe(true);
        expect(passed + unknown.length).toBe(docs);
        expect(passed).toBeGreaterThanOrEqual(7);
      }
    }
  });

  it('has a validator that really rejects a bad manifest (control)', () => {
    const bad = renderText().replace(/replicas: 2/, 'replicas: "two"');
    expect(bad).toContain('replicas: "two"');
    const r = kubernetesValidate(bad, '1.33.0');
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/ERROR.*replicas/);
  });

  it('packages, and prints usable NOTES on a client-side dry-run install', () => {
    const out = path.join(helmHome, 'pkg');
    const pkg = helm(['package', CHART, '--version', '0.0.0-test', '--app-version', '0.0.0-test', '-d', out]);
    expect(pkg.stderr).toBe('');
    expect(existsSync(path.join(out, 'sdp-0.0.0-test.tgz'))).toBe(true);

    const dry = helm(['install', 'rel', CHART, '--dry-run=client', '--namespace', 'ns1']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/NOTES:/);
    expect(dry.stdout).toContain('kubectl -n ns1 rollout status deploy/rel-sdp-mgmt deploy/rel-sdp-worker');
    expect(dry.stdout).toMatch(/WARNING: credentials\.mysqlUrl is the chart's trial default/);
  });

  it('keeps Chart.yaml appVersion, values and schema in step with the app', () => {
    const chart = parseYaml(readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(chart.appVersion).toBe(pkg.version);

    const schema = JSON.parse(readFileSync(path.join(CHART, 'values.schema.json'), 'utf8')) as {
      properties: { config: { properties: Record<string, { properties: Record<string, unknown> }> } };
    };
    const chartKeys = Object.entries(schema.properties.config.properties).flatMap(([s, v]) =>
      Object.keys(v.properties).map((k) => `${s}.${k}`),
    );
    const appKeys = Object.entries(ConfigSchema.properties as Record<string, { properties: Json }>)
      .flatMap(([s, v]) => Object.keys(v.properties).map((k) => `${s}.${k}`))
      .filter((k) => !CREDENTIAL_KEYS.includes(k));
    expect(chartKeys.sort()).toEqual(appKeys.sort());

    const readme = readFileSync(path.join(CHART, 'README.md'), 'utf8');
    for (const key of [
      'workers.replicas',
      'credentials.existingSecret',
      'migrations.mode',
      'metrics.serviceMonitor.enabled',
      'ingress.enabled',
    ]) {
      expect(readme).toContain(`\`${key}\``);
    }
  });
});
