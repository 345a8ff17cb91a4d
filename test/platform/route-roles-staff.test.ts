// The route × role table (route-table.ts), for these roles: every route answers as it says.
import t from 'tap';
import { answersUnlike, appWithRoutes } from './route-harness.ts';

t.test('each route answers as the table says', async (t) => {
  const h = await appWithRoutes(t);
  t.same(await answersUnlike(h, ['moderator', 'staff', 'admin']), [], 'every answer as the table says');
});
