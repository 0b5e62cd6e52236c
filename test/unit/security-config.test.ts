import { buildConfig, resolveSecretFiles, withMysqlPassword } from '../../server/common/config/load';
import { connectionFromUrl } from '../../server/common/db/knex';
import { ConfigError } from '../../server/common/errors';

const base = { mysql: { url: 'mysql://sdp@127.0.0.1:3306/sdp' } };
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** A fake file system: path -> content; anything else is ENOENT. */
const files =
  (map: Record<string, string>) =>
  (file: string): string => {
    const content = map[file];
    if (content === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
    return content;
  };

describe('secrets from the environment or mounted files', () => {
  it('reads every *_FILE credential, dropping one trailing newline', () => {
    const read = files({
      '/s/mq-user': 'robot\n',
      '/s/mq-pw': 'kafka pw with spaces\n',
      '/s/os-user': 'sdp',
      '/s/os-pw': 'os-pw\r\n',
      '/s/admin': 'admin-token-from-a-file-0123456789\n',
      '/s/db-pw': 'p@ss:w/rd%41\n',
    });
    const c = buildConfig(
      base,
      {
        SDP_MQ_USERNAME_FILE: '/s/mq-user',
        SDP_MQ_PASSWORD_FILE: '/s/mq-pw',
        SDP_OPENSEARCH_USERNAME_FILE: '/s/os-user',
        SDP_OPENSEARCH_PASSWORD_FILE: '/s/os-pw',
        SDP_ADMIN_TOKEN_FILE: '/s/admin',
        SDP_MYSQL_PASSWORD_FILE: '/s/db-pw',
      },
      read,
    );
    expect(c.mq).toMatchObject({ username: 'robot', password: 'kafka pw with spaces' });
    expect(c.opensearch).toMatchObject({ username: 'sdp', password: 'os-pw' });
    expect(c.adminToken).toBe('admin-token-from-a-file-0123456789');
    // The password reaches the driver exactly, special characters included.
    expect(connectionFromUrl(c.mysql.url)).toMatchObject({ user: 'sdp', password: 'p@ss:w/rd%41' });
  });

  it('takes SDP_MYSQL_URL from a file, and SDP_MYSQL_PASSWORD over the URL password', () => {
    const c = buildConfig({}, { SDP_MYSQL_URL_FILE: '/u' }, files({ '/u': 'mysql://a:old@db:3306/x\n' }));
    expect(c.mysql.url).toBe('mysql://a:old@db:3306/x');
    const d = buildConfig({}, { SDP_MYSQL_URL: 'mysql://a:old@db:3306/x', SDP_MYSQL_PASSWORD: 'new' });
    expect(connectionFromUrl(d.mysql.url)).toMatchObject({ user: 'a', password: 'new', database: 'x' });
    expect(withMysqlPassword('mysql://u@h/d', "!*'()~é")).toBe("mysql://u:!*'()~%C3%A9@h/d");
  });

  it.each([
    [
      { SDP_MQ_PASSWORD: 'x', SDP_MQ_PASSWORD_FILE: '/s/pw' },
      /SDP_MQ_PASSWORD and SDP_MQ_PASSWORD_FILE are both set/,
    ],
    [{ SDP_ADMIN_TOKEN_FILE: '/missing' }, /SDP_ADMIN_TOKEN_FILE: cannot read \/missing \(ENOENT\)/],
    [{ SDP_MYSQL_PASSWORD: 'x', SDP_MYSQL_URL: 'mysql://db/x' }, /names no user/],
    [{ SDP_OPENSEARCH_PASSWORD: 'x' }, /opensearch\.password: set without opensearch\.username/],
  ])('refuses %p', (env, message) => {
    expect(() => buildConfig(base, env, files({ '/s/pw': 'pw' }))).toThrow(ConfigError);
    expect(() => buildConfig(base, env, files({ '/s/pw': 'pw' }))).toThrow(message);
  });

  it('never puts a secret file content into an error message', () => {
    const read = () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    expect(() => buildConfig(base, { SDP_MQ_PASSWORD_FILE: '/s/pw' }, read)).toThrow(
      'SDP_MQ_PASSWORD_FILE: cannot read /s/pw (EACCES)',
    );
    expect(resolveSecretFiles({ SDP_MQ_PASSWORD_FILE: '' })).toEqual({ SDP_MQ_PASSWORD_FILE: '' });
  });
});

describe('TLS CA files', () => {
  it('reads the CA bundles for Kafka and OpenSearch', () => {
    const c = buildConfig(
      {
        ...base,
        mq: { ssl: true, tlsCaFile: '/ca/kafka.pem' },
        opensearch: { url: 'https://os:9200', tlsCaFile: '/ca/os.pem' },
      },
      {},
      files({ '/ca/kafka.pem': PEM, '/ca/os.pem': PEM }),
    );
    expect(c.tlsCa).toEqual({ mq: PEM, opensearch: PEM });
    expect(buildConfig(base, {}).tlsCa).toEqual({ mq: undefined, opensearch: undefined });
  });

  it.each([
    [{ mq: { tlsCaFile: '/ca/kafka.pem' } }, /mq\.tlsCaFile: set without mq\.ssl: true/],
    [
      { opensearch: { tlsCaFile: '/ca/os.pem' } },
      /opensearch\.tlsCaFile: set but opensearch\.url is not https/,
    ],
    [{ mq: { ssl: true, tlsCaFile: '/nope' } }, /mq\.tlsCaFile: cannot read \/nope/],
    [{ mq: { ssl: true, tlsCaFile: '/ca/garbage' } }, /holds no PEM certificate/],
  ])('refuses %p', (raw, message) => {
    const read = files({ '/ca/kafka.pem': PEM, '/ca/os.pem': PEM, '/ca/garbage': 'hello' });
    expect(() => buildConfig({ ...base, ...raw }, {}, read)).toThrow(message);
  });
});
