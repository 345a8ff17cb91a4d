// npm run badges:backfill [-- --database NAME]: grants every badge to everyone who earned it,
// as the daily job does, one badge at a time with what each granted and how long it took. For a
// community just moved to Hearth, or after a new badge is added; safe to run at any time (a grant
// that exists is left as it is), and members are told only of what they earned in the last two days.
import { parseArgs } from 'node:util';
import { badges } from '../server/badges/definitions.ts';
import { grantBadge } from '../server/badges/grant.ts';
import { readConfig } from '../server/config.ts';
import { createDb } from '../server/db/index.ts';
import { withDatabase } from '../server/db/embedded.ts';
import { openDatabase } from '../server/db/open.ts';
import { runScript } from './run.ts';

await runScript(async () => {
  const { values } = parseArgs({ options: { database: { type: 'string' } }, strict: true });
  const config = readConfig();
  const database = await openDatabase(config);
  const db = createDb({ url: values.database ? withDatabase(database.url, values.database) : database.url, max: 1 });
  try {
    const started = performance.now();
    let total = 0;
    for (const badge of badges) {
      const at = performance.now();
      const granted = await grantBadge(db, badge, 'all', new Date());
      total += granted;
      console.log(`${badge.slug.padEnd(20)} ${String(granted).padStart(8)} granted  ${((performance.now() - at) / 1000).toFixed(2)} s`);
    }
    console.log(`${total} badges granted in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    await db.destroy();
    await database.close();
  }
});
