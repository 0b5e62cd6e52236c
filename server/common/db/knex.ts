import knexFactory, { Knex } from 'knex';

export interface DatabaseSettings {
  url: string;
  poolMax: number;
}

/** Parses mysql://user:pass@host:port/db into knex connection settings. */
export function connectionFromUrl(url: string): Knex.MySql2ConnectionConfig {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, '') || undefined,
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    dateStrings: false,
  };
}

export function createDatabase(settings: DatabaseSettings): Knex {
  return knexFactory({
    client: 'mysql2',
    connection: connectionFromUrl(settings.url),
    pool: { min: 0, max: settings.poolMax },
    acquireConnectionTimeout: 10_000,
  });
}
