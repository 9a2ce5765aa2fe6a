import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkDatabase } from '../src/connection.ts';

describe('checkDatabase gives a message that says what to check', () => {
  it('names host and port when nothing listens there', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    await expect(checkDatabase(`postgresql://u:p@127.0.0.1:${port}/x`)).rejects.toThrow(
      `Cannot reach PostgreSQL at 127.0.0.1:${port}/x as u: nothing is listening there`,
    );
  });

  it('rejects a URL that is not PostgreSQL', async () => {
    await expect(checkDatabase('mysql://localhost/x')).rejects.toThrow(/not a PostgreSQL URL/);
  });

  it('says the password was rejected', async () => {
    const u = new URL(process.env.LAB_TEST_PG_ADMIN_URL!);
    u.password = 'wrong-password';
    await expect(checkDatabase(u.toString())).rejects.toThrow(/password was rejected/);
  });

  it('says the database does not exist', async () => {
    const u = new URL(process.env.LAB_TEST_PG_ADMIN_URL!);
    u.pathname = '/no_such_db_here';
    await expect(checkDatabase(u.toString())).rejects.toThrow(/database does not exist/);
  });
});
