import pg from 'pg';

/** The same server URL, naming another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Describes a PostgreSQL URL without its password, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}/${u.pathname.replace(/^\//, '') || '(default)'} as ${decodeURIComponent(u.username) || '(no user)'}`;
  } catch {
    return '(unparseable URL)';
  }
}

export class DatabaseConfigError extends Error {}

/**
 * Connects once and turns the usual failures into a message that says what to check,
 * instead of a driver stack trace.
 */
export async function checkDatabase(url: string, timeoutMs = 5000): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error('protocol');
  } catch {
    throw new DatabaseConfigError(
      'DATABASE_URL is not a PostgreSQL URL. Expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE',
    );
  }
  const where = describeUrl(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (e) {
    const err = e as { code?: string; message: string };
    const hint: Record<string, string> = {
      ECONNREFUSED:
        'nothing is listening there: is PostgreSQL running, and are host and port right?',
      ENOTFOUND: 'the host name does not resolve: check the host in DATABASE_URL',
      EAI_AGAIN: 'the host name does not resolve: check the host in DATABASE_URL',
      ETIMEDOUT: 'the connection timed out: check the host, port and any firewall',
      '28P01': 'the password was rejected: check the user and password in DATABASE_URL',
      '28000': 'the server refused this user: check the user in DATABASE_URL and pg_hba.conf',
      '3D000': 'the database does not exist: create it (createdb) or fix the name in DATABASE_URL',
    };
    const reason =
      (err.code && hint[err.code]) ??
      (/timeout/i.test(err.message)
        ? 'the connection timed out: check the host, port and any firewall'
        : err.message);
    throw new DatabaseConfigError(`Cannot reach PostgreSQL at ${where}: ${reason}`);
  } finally {
    await client.end().catch(() => {});
  }
}
