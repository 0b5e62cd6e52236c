import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  parseExportLines,
  requireStackServices,
  SERVICE_CONTAINER_PORTS,
  selectedTestServices,
  servicesEnv,
} from '../containers/serviceContainers';

// The pure parts of the integration suites' testcontainers mode (test/containers/); the mode itself
// is proven by `npm run test:containers` against real containers.

const ROOT = path.resolve(__dirname, '../..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');

describe('SDP_TEST_SERVICES', () => {
  it('selects the stack by default and containers when asked, and rejects anything else', () => {
    expect(selectedTestServices({})).toBe('stack');
    expect(selectedTestServices({ SDP_TEST_SERVICES: 'stack' })).toBe('stack');
    expect(selectedTestServices({ SDP_TEST_SERVICES: ' containers ' })).toBe('containers');
    expect(() => selectedTestServices({ SDP_TEST_SERVICES: 'docker' })).toThrow(
      /expected "stack".*"containers"/,
    );
  });

  it("keeps the stack's fault helpers off the shared stack when the suite runs on containers", () => {
    expect(() => requireStackServices('stack.sh kill kafka', {})).not.toThrow();
    expect(() => requireStackServices('stack.sh kill kafka', { SDP_TEST_SERVICES: 'containers' })).toThrow(
      /stack\.sh kill kafka acts on the local stack's processes/,
    );
  });
});

describe('the service containers', () => {
  it('listen on none of the local stack ports, so that both run at once', () => {
    const stack = read('scripts/stack.sh');
    const props = read('scripts/stack/server.properties.tmpl');
    const stackPorts = [
      ...[/^MYSQL_PORT=(\d+)$/m, /^KAFKA_PORT=(\d+)$/m, /^OS_PORT=(\d+)$/m].map((re) =>
        Number(re.exec(stack)?.[1]),
      ),
      Number(/CONTROLLER:\/\/127\.0\.0\.1:(\d+)/.exec(props)?.[1]),
      9300, // OpenSearch's default transport port: the stack's opensearch.yml leaves it alone
    ];
    expect(stackPorts).toEqual([3306, 9092, 9200, 9093, 9300]);
    const ours = Object.values(SERVICE_CONTAINER_PORTS);
    expect(new Set(ours).size).toBe(ours.length);
    expect(ours.filter((p) => stackPorts.includes(p))).toEqual([]);
  });

  it('are handed to the suites through the same SDP_* variables as the stack', () => {
    expect(servicesEnv(SERVICE_CONTAINER_PORTS)).toEqual({
      SDP_MYSQL_URL: 'mysql://sdp:sdp@127.0.0.1:13306/sdp',
      SDP_KAFKA_BROKERS: '127.0.0.1:19092',
      SDP_OPENSEARCH_URL: 'http://127.0.0.1:19200',
    });
    // the names ensure-stack.js (the stack path) hands over: the keys of its DEFAULTS
    const defaults = /const DEFAULTS = \{([^}]*)\}/.exec(read('scripts/ensure-stack.js'))?.[1] ?? '';
    const stackNames = [...defaults.matchAll(/^\s*(SDP_[A-Z_]+):/gm)].map((m) => m[1]);
    expect(stackNames).toHaveLength(3);
    expect(Object.keys(servicesEnv(SERVICE_CONTAINER_PORTS)).sort()).toEqual(stackNames.sort());
  });

  it("run the stack's own templates, which still hold the lines their entry points rewrite", () => {
    // kafka-start.sh and opensearch-start.sh refuse to start when these are gone; this says so sooner.
    expect(read('scripts/stack/server.properties.tmpl')).toMatch(
      /^listeners=PLAINTEXT:\/\/127\.0\.0\.1:9092,CONTROLLER:\/\/127\.0\.0\.1:9093$/m,
    );
    expect(read('scripts/stack/server.properties.tmpl')).toMatch(/^log\.dirs=@KAFKA_LOG_DIRS@$/m);
    expect(read('scripts/stack/opensearch.yml.tmpl')).toMatch(/^http\.port: 9200$/m);
    expect(read('scripts/stack/opensearch.yml.tmpl')).not.toMatch(/^transport\.port:/m);
  });
});

describe('parseExportLines', () => {
  it("reads scripts/service-images.sh's stdout and ignores other lines", () => {
    const out = [
      'export DOCKER_HOST=unix:///run/sdp-docker.sock',
      'export SDP_TEST_MARIADB_IMAGE=sdp-test-mariadb:a85f7630c653',
      'not an export line',
      '  export INDENTED=ignored',
      'export SDP_TEST_KAFKA_IMAGE=sdp-test-kafka:80508ecd4b2b',
      '',
    ].join('\n');
    expect(parseExportLines(out)).toEqual({
      DOCKER_HOST: 'unix:///run/sdp-docker.sock',
      SDP_TEST_MARIADB_IMAGE: 'sdp-test-mariadb:a85f7630c653',
      SDP_TEST_KAFKA_IMAGE: 'sdp-test-kafka:80508ecd4b2b',
    });
  });
});
