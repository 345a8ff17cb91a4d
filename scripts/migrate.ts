// npm run migrate: runs pending migrations on the configured database.
import { readConfig } from '../server/config.ts';
import { createDb, migrate } from '../server/db/index.ts';
import { openDatabase } from '../server/db/open.ts';
import { runScript } from './run.ts';

await runScript(async () => {
  const config = readConfig();
  const database = await openDatabase(config);
  const db = createDb({ url: database.url, max: 1 });
  try {
    const applied = await migrate(db);
    console.log(applied.length ? applied.map((m) => `applied ${m.migrationName}`).join('\n') : 'The database is up to date.');
  } finally {
    await db.destroy();
    await database.close();
  }
});
