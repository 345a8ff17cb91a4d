// npm run user:create -- --username U --email E --password P [--role R] [--rank 0-4]
import { parseArgs } from 'node:util';
import { productionCost } from '../server/accounts/passwords.ts';
import { createAccount } from '../server/accounts/queries.ts';
import { isRole } from '../server/accounts/rules.ts';
import { readConfig } from '../server/config.ts';
import { createDb, migrate } from '../server/db/index.ts';
import { openDatabase } from '../server/db/open.ts';
import { HttpError } from '../server/errors.ts';
import { runScript } from './run.ts';

const usage = 'usage: npm run user:create -- --username U --email E --password P [--role member|moderator|staff|admin] [--rank 0-4]';

await runScript(async () => {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        username: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        role: { type: 'string', default: 'member' },
        // Absent: rank 0, earned from there. Given: set by hand, and kept (rank_locked).
        rank: { type: 'string' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new HttpError(400, `${(err as Error).message}\n${usage}`);
  }
  const missing = (['username', 'email', 'password'] as const).filter((k) => !values[k]);
  if (missing.length) throw new HttpError(400, `missing --${missing.join(', --')}\n${usage}`);
  const role = values.role!;
  if (!isRole(role)) throw new HttpError(422, 'Please correct:', { role: 'must be member, moderator, staff or admin' });
  const rankLocked = values.rank !== undefined;
  const rank = Number(values.rank ?? '0');
  if (!/^[0-4]$/.test(values.rank ?? '0')) throw new HttpError(422, 'Please correct:', { rank: 'must be a whole number from 0 to 4' });

  const config = readConfig();
  const database = await openDatabase(config);
  const db = createDb({ url: database.url, max: 1 });
  try {
    await migrate(db);
    const user = await createAccount(
      db,
      { username: values.username!, email: values.email!, password: values.password!, role, rank, rankLocked },
      productionCost,
    );
    console.log(`Created ${user.username} (id ${user.id}, role ${user.role}, rank ${user.rank}).${rankLocked ? ' The rank was set by hand: the rank review never moves it.' : ''}`);
  } finally {
    await db.destroy();
    await database.close();
  }
});
