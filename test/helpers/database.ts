// Each test file gets its own database, cloned from the template that `npm test` migrated.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withDatabase } from '../../server/db/embedded.ts';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with npm test`);
  return value;
}

export async function cloneDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = env('HEARTH_TEST_SERVER_URL');
  const template = env('HEARTH_TEST_TEMPLATE');
  const name = `${template.replace('tpl', 't')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    // Two files cloning at the same instant can meet "source database is being accessed":
    // the template is briefly touched by the other clone. Try again a few times.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${template}`);
        break;
      } catch (err) {
        if (attempt >= 20 || (err as { code?: string }).code !== '55006') throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
