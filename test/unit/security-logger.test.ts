import { Writable } from 'node:stream';
import { createLogger, scrubSecrets } from '../../server/common/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ name: 't', logLevel: 'info', developMode: false }, stream);
  return { logger, text: () => lines.join('') };
}

const TOKEN = `sdp_${'a'.repeat(32)}_${'B'.repeat(43)}`;

describe('log redaction', () => {
  it('removes credentials wherever they sit in the logged object, at any depth', () => {
    const { logger, text } = capture();
    const osError = Object.assign(new Error('Response Error'), {
      meta: {
        meta: {
          request: { params: { headers: { authorization: 'Basic dXNlcjpodW50ZXIy', 'x-trace': 'ok' } } },
          connection: { url: 'https://sdp-user:hunter2@opensearch:9200/' },
        },
      },
    });
    logger.error(
      {
        err: osError,
        broker: { sasl: { mechanism: 'plain', username: 'u', password: 'kafka-pw-1' } },
        deep: { a: { b: { c: { password: 'deep-pw-2', adminToken: 'admin-tok-3', tokenId: 'keep-me' } } } },
        url: 'mysql://sdp:db-pw-4@127.0.0.1:3306/sdp',
      },
      `request with Bearer ${TOKEN} failed`,
    );
    logger.error({ err: new Error('wrapped', { cause: osError }) }, 'a cause is flattened into the stack');
    const out = text();
    for (const secret of [
      'dXNlcjpodW50ZXIy',
      'hunter2',
      'kafka-pw-1',
      'deep-pw-2',
      'admin-tok-3',
      'db-pw-4',
      TOKEN,
    ]) {
      expect({ secret, found: out.includes(secret) }).toEqual({ secret, found: false });
    }
    expect(out).toContain('keep-me');
    expect(out).toContain('"x-trace":"ok"');
    expect(out).toContain('mysql://sdp:***@127.0.0.1:3306/sdp');
  });

  it('keeps ordinary text intact', () => {
    const line = '{"msg":"Basic auth is on","path":"/api/v1/tokens","tokens":3,"url":"http://host:9200/x"}';
    expect(scrubSecrets(line)).toBe(line);
  });

  it('removes PEM private keys and quoted JSON secrets with escapes', () => {
    const line =
      '{"key":"-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----","password":"a\\"b\\\\c"}';
    expect(scrubSecrets(line)).toBe('{"key":"[redacted]","password":"[redacted]"}');
  });
});
