// npm run reputation:check: recomputes every member's reputation from the ledger and prints each
// total that differs from it (exit code 1 if any does). It writes nothing.
import { readConfig } from '../server/config.ts';
import { createDb } from '../server/db/index.ts';
import { openDatabase } from '../server/db/open.ts';
import { reputationDifferences } from '../server/reputation/check.ts';
import { runScript } from './run.ts';

await runScript(async () => {
  const config = readConfig();
  const database = await openDatabase(config);
  const db = createDb({ url: database.url, max: 1 });
  try {
    const started = Date.now();
    const { members, differences } = await reputationDifferences(db);
    for (const d of differences) {
      console.log(`${d.username} (id ${d.id}): total ${d.total}, events say ${d.fromEvents}; the day's gains from votes ${d.gains}, events say ${d.gainsFromEvents}`);
    }
    const took = ((Date.now() - started) / 1000).toFixed(1);
    console.log(differences.length ? `${differences.length} of ${members} members differ (${took} s).` : `All ${members} members' reputation matches the ledger (${took} s).`);
    if (differences.length) process.exitCode = 1;
  } finally {
    await db.destroy();
    await database.close();
  }
});
