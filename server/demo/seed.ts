// A small, believable demo community for a first start: categories, members, threads and
// replies, and an admin account whose generated password is shown once.
import { randomBytes } from 'node:crypto';
import { createAccount } from '../accounts/queries.ts';
import type { PasswordCost } from '../accounts/passwords.ts';
import type { Db } from '../db/index.ts';
import { createCategory, createReply, createThread } from '../threads/queries.ts';

const categories = [
  { name: 'Announcements', slug: 'announcements', color: '#b45309', description: 'News from the team.' },
  { name: 'General', slug: 'general', color: '#2563eb', description: 'Anything about the product and the people who use it.' },
  { name: 'Help & Questions', slug: 'help', color: '#059669', description: 'Ask the community; mark the answer that solved it.' },
  { name: 'Ideas & Feedback', slug: 'ideas', color: '#7c3aed', description: 'What should we build next? Vote and discuss.' },
];

const members = [
  { username: 'maya', role: 'staff' as const, rank: 4 },
  { username: 'theo', role: 'moderator' as const, rank: 3 },
  { username: 'priya', role: 'member' as const, rank: 2 },
  { username: 'sam_k', role: 'member' as const, rank: 1 },
  { username: 'lena-b', role: 'member' as const, rank: 0 },
];

type Conversation = { category: string; by: string; title: string; body: string; replies: [string, string][] };

const conversations: Conversation[] = [
  {
    category: 'announcements', by: 'maya', title: 'Welcome to the community!',
    body: 'Hi everyone, and welcome.\n\nThis is **the** place to ask questions, share what you have built, and tell us what to build next.\n\n- Be kind\n- Search before you post\n- Mark the answer that solved your question',
    replies: [['priya', 'Glad to be here! Looking forward to the Q&A.'], ['sam_k', 'Hello from Lisbon :wave:']],
  },
  {
    category: 'help', by: 'sam_k', title: 'How do I export my data as CSV?',
    body: 'I would like to get my monthly reports into a spreadsheet. Is there a way to export them as CSV?',
    replies: [
      ['theo', 'Yes: open **Reports**, pick the month, then *Export → CSV*. The file keeps the column names.'],
      ['sam_k', 'That worked, thank you!'],
    ],
  },
  {
    category: 'ideas', by: 'priya', title: 'Dark mode for the mobile app',
    body: 'The web app follows the system theme, but the mobile app is always light. Could it follow the system setting too?',
    replies: [['lena-b', '+1, reading at night is hard on the eyes.'], ['maya', 'Thanks, this is on our list for the next quarter.']],
  },
  {
    category: 'general', by: 'lena-b', title: 'Share your setup',
    body: 'What does your setup look like? I use the desktop app with two monitors and keyboard shortcuts for everything.',
    replies: [['priya', 'Laptop only, but I live in the command palette.'], ['theo', 'Tablet plus keyboard when travelling.']],
  },
];

export interface DemoResult {
  adminUsername: string;
  adminPassword: string;
}

export async function seedDemo(db: Db, cost: PasswordCost): Promise<DemoResult> {
  const adminPassword = randomBytes(12).toString('base64url');
  const adminUser = await createAccount(
    db,
    { username: 'admin', email: 'admin@example.com', password: adminPassword, role: 'admin', rank: 4 },
    cost,
  );
  const ids = new Map<string, number>([['admin', adminUser.id]]);
  for (const m of members) {
    // Demo members get a random password nobody knows; an admin can set roles, and
    // `npm run user:create` makes accounts with known passwords.
    const user = await createAccount(
      db,
      { username: m.username, email: `${m.username}@example.com`, password: randomBytes(18).toString('base64url'), role: m.role, rank: m.rank },
      cost,
    );
    ids.set(m.username, user.id);
  }
  const categoryIds = new Map<string, number>();
  for (const [position, c] of categories.entries()) {
    const row = await createCategory(db, { ...c, position });
    categoryIds.set(c.slug, row.id);
  }
  // Spread the conversations over the last few days so lists look lived in.
  let at = Date.now() - conversations.length * 36 * 3600 * 1000;
  for (const c of conversations) {
    const thread = await createThread(db, {
      categoryId: categoryIds.get(c.category)!,
      userId: ids.get(c.by)!,
      title: c.title,
      body: c.body,
      kind: c.category === 'announcements' ? 'announcement' : c.category === 'help' ? 'question' : c.category === 'ideas' ? 'idea' : 'discussion',
      at: new Date(at),
    });
    for (const [by, body] of c.replies) {
      at += 3 * 3600 * 1000;
      await createReply(db, { threadId: thread.id, userId: ids.get(by)!, body, at: new Date(at) });
    }
    at += 24 * 3600 * 1000;
  }
  return { adminUsername: 'admin', adminPassword };
}

export async function isEmpty(db: Db): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}
