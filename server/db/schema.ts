// The tables as the app sees them. Keep in step with migrations/.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type Role = 'member' | 'moderator' | 'staff' | 'admin';
export type ThreadKind = 'discussion' | 'question' | 'idea' | 'event' | 'announcement';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string;
  password_hash: string;
  role: ColumnType<Role, Role | undefined, Role>;
  rank: ColumnType<number, number | undefined, number>;
  bio: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
  last_seen_at: NullableTimestamp;
}

export interface SessionsTable {
  id: string;
  user_id: number | null;
  data: ColumnType<unknown, string, string>;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface RateLimitsTable {
  key: string;
  count: number;
  reset_at: Timestamp;
}

export interface CategoriesTable {
  id: Generated<number>;
  name: string;
  slug: string;
  description: ColumnType<string, string | undefined, string>;
  color: ColumnType<string, string | undefined, string>;
  position: ColumnType<number, number | undefined, number>;
  thread_count: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  read_role: Role | null;
  read_rank: ColumnType<number, number | undefined, number>;
  post_role: ColumnType<Role, Role | undefined, Role>;
  post_rank: ColumnType<number, number | undefined, number>;
}

export interface ThreadsTable {
  id: Generated<number>;
  category_id: number;
  user_id: number;
  title: string;
  slug: string;
  kind: ColumnType<ThreadKind, ThreadKind | undefined, ThreadKind>;
  reply_count: ColumnType<number, number | undefined, number>;
  view_count: ColumnType<number, number | undefined, number>;
  last_post_at: Timestamp;
  last_post_user_id: number | null;
  created_at: Timestamp;
  deleted_at: NullableTimestamp;
  last_post_number: ColumnType<number, number | undefined, number>;
  deleted_by: number | null;
  pinned_scope: 'category' | 'global' | null;
  pinned_at: NullableTimestamp;
  pinned_until: NullableTimestamp;
  locked_at: NullableTimestamp;
  locked_by: number | null;
}

export interface PostsTable {
  id: Generated<number>;
  thread_id: number;
  user_id: number;
  post_number: number;
  raw: string;
  cooked: string;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  like_count: ColumnType<number, number | undefined, number>;
  edit_count: ColumnType<number, number | undefined, number>;
  deleted_by: number | null;
  /** Kept by triggers (migrations/0008_search.ts), read only by search. */
  search_vector: ColumnType<string | null, never, never>;
}

export interface PostRevisionsTable {
  id: Generated<number>;
  post_id: number;
  number: number;
  raw: string;
  title: string | null;
  edited_by: number;
  created_at: Timestamp;
}

export interface PostLikesTable {
  post_id: number;
  user_id: number;
  created_at: Timestamp;
}

export type NotificationKind = 'mention' | 'reply' | 'watching';
export type WatchLevel = 'watching' | 'muted';

export interface NotificationsTable {
  id: Generated<number>;
  user_id: number;
  kind: NotificationKind;
  thread_id: number;
  post_id: number;
  actor_id: number;
  created_at: Timestamp;
  read_at: NullableTimestamp;
}

export interface ThreadWatchesTable {
  user_id: number;
  thread_id: number;
  level: WatchLevel;
}

export interface CategoryWatchesTable {
  user_id: number;
  category_id: number;
  level: WatchLevel;
}

export interface ThreadReadsTable {
  user_id: number;
  thread_id: number;
  last_read_post_number: number;
  updated_at: Timestamp;
}

export interface TagsTable {
  id: Generated<number>;
  name: string;
  thread_count: ColumnType<number, number | undefined, number>;
}

export interface ThreadTagsTable {
  thread_id: number;
  tag_id: number;
}

export interface PollsTable {
  id: Generated<number>;
  thread_id: number;
  question: string;
  multiple: ColumnType<boolean, boolean | undefined, boolean>;
  closes_at: NullableTimestamp;
  voter_count: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
}

export interface PollOptionsTable {
  id: Generated<number>;
  poll_id: number;
  position: number;
  label: string;
  vote_count: ColumnType<number, number | undefined, number>;
}

export interface PollBallotsTable {
  poll_id: number;
  user_id: number;
  created_at: Timestamp;
}

export interface PollVotesTable {
  option_id: number;
  poll_id: number;
  user_id: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  rate_limits: RateLimitsTable;
  categories: CategoriesTable;
  threads: ThreadsTable;
  posts: PostsTable;
  post_likes: PostLikesTable;
  post_revisions: PostRevisionsTable;
  notifications: NotificationsTable;
  thread_watches: ThreadWatchesTable;
  category_watches: CategoryWatchesTable;
  thread_reads: ThreadReadsTable;
  tags: TagsTable;
  thread_tags: ThreadTagsTable;
  polls: PollsTable;
  poll_options: PollOptionsTable;
  poll_ballots: PollBallotsTable;
  poll_votes: PollVotesTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
