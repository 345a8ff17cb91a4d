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
  silenced_until: NullableTimestamp;
  suspended_until: NullableTimestamp;
  /** Set while a ban is in force (migrations/0020_bans.ts): a ban has no end to mirror. */
  banned_at: NullableTimestamp;
  flags_agreed: ColumnType<number, number | undefined, number>;
  flags_disagreed: ColumnType<number, number | undefined, number>;
  /** Public posts and threads (migrations/0023_member_counts.ts): kept by triggers, never written by the app. */
  post_count: ColumnType<number, never, never>;
  thread_count: ColumnType<number, never, never>;
  /** The total of the member's reputation events (migrations/0028), never below 1. */
  reputation: ColumnType<number, number | undefined, number>;
  /** Gains from votes on the UTC day `vote_gains_on` (migrations/0033): what the daily cap is decided against. */
  vote_gains: ColumnType<number, number | undefined, number>;
  vote_gains_on: ColumnType<string | null, string | null | undefined, string | null>;
  /** A rank set by hand (the shell, the admin page), which the rank job leaves alone (migrations/0029). */
  rank_locked: ColumnType<boolean, boolean | undefined, boolean>;
  rank_changed_at: NullableTimestamp;
  guidelines_read_at: NullableTimestamp;
  /** The profile (migrations/0039): `bio` is its markdown, `bio_cooked` the HTML shown. */
  display_name: ColumnType<string, string | undefined, string>;
  bio_cooked: ColumnType<string, string | undefined, string>;
  location: ColumnType<string, string | undefined, string>;
  website: ColumnType<string, string | undefined, string>;
  /** The uploaded avatar's hash (server/profiles/avatars.ts); null: the letter avatar. */
  avatar: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the member's account was deleted (migrations/0043): the row stays, scrubbed. */
  deleted_at: NullableTimestamp;
  /** The site banner this member dismissed (migrations/0042): hidden from them while it is the one in force. */
  dismissed_banner_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface SessionsTable {
  id: string;
  user_id: number | null;
  data: ColumnType<unknown, string, string>;
  expires_at: Timestamp;
  created_at: Timestamp;
  /** What names the session in the account page's forms (the id is the cookie's secret; migrations/0036). */
  handle: Generated<string>;
  user_agent: string | null;
  address: string | null;
  /** Stamped at most every few minutes (server/sessions/last-seen.ts); not announced. */
  last_seen_at: Timestamp;
}

/** A successful sign-in (or registration), kept for a while for the account page (migrations/0036). */
export interface SignInsTable {
  id: Generated<number>;
  user_id: number;
  at: Timestamp;
  address: string;
  user_agent: string | null;
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
  /** Archived: read-only and out of the lists (migrations/0044). */
  archived_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** Members a private category lets read it by name, whatever their role and rank (migrations/0044). */
export interface CategoryMembersTable {
  category_id: number;
  user_id: number;
  added_by: number | null;
  created_at: Timestamp;
}

/** Invite links: a code, an expiry, a use limit, and optionally a role or a category (migrations/0044). */
export interface InvitesTable {
  id: Generated<number>;
  code: string;
  created_by: number | null;
  created_at: Timestamp;
  expires_at: Date;
  max_uses: number;
  used_count: ColumnType<number, number | undefined, number>;
  role: Role | null;
  category_id: number | null;
  note: ColumnType<string, string | undefined, string>;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** Who came in by which invite: who invited whom. */
export interface InviteUsesTable {
  invite_id: number;
  user_id: number;
  used_at: Timestamp;
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
  hidden_at: NullableTimestamp;
  pending_at: NullableTimestamp;
  unlisted_at: NullableTimestamp;
  closes_at: NullableTimestamp;
  slow_mode_seconds: ColumnType<number, number | undefined, number>;
  merged_into: number | null;
  /** A question's accepted answer (migrations/0028). */
  accepted_post_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** Closed as a duplicate of this thread: only while locked (migrations/0030). */
  duplicate_of: ColumnType<number | null, number | null | undefined, number | null>;
  /** A pin's place among the pins shown with it, 1 first; null when not pinned (migrations/0041). */
  pin_position: ColumnType<number | null, number | null | undefined, number | null>;
  /** Whether members may reply to an announcement (migrations/0041). */
  members_may_reply: ColumnType<boolean, boolean | undefined, boolean>;
  /** The staff reply marked as the official response (migrations/0041). */
  official_post_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** When staff first replied (migrations/0041). */
  first_staff_reply_at: NullableTimestamp;
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
  hidden_at: NullableTimestamp;
  hidden_reason: HiddenReason | null;
  pending_at: NullableTimestamp;
  pending_reason: PendingReason | null;
  flag_score: ColumnType<number, number | undefined, number>;
  /** The sum of the post's votes (migrations/0028). */
  score: ColumnType<number, number | undefined, number>;
}

export type HiddenReason = 'flags' | 'moderator';
export type PendingReason = 'newcomer' | 'watched_word' | 'spam';

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

/** A member's bookmark on a post, with an optional reminder (migrations/0037). */
export interface BookmarksTable {
  id: Generated<number>;
  user_id: number;
  post_id: number;
  created_at: Timestamp;
  remind_at: NullableTimestamp;
  /** Set when the reminder's notification is written, in the same statement. */
  reminded_at: NullableTimestamp;
}

/** What a member is writing, one per place: `thread:<id>` (a reply) or `category:<id>` (a new thread). */
export interface DraftsTable {
  user_id: number;
  draft_key: string;
  title: ColumnType<string, string | undefined, string>;
  body: ColumnType<string, string | undefined, string>;
  updated_at: Timestamp;
}

export type NotificationKind =
  | 'mention' | 'reply' | 'watching'
  // Notices about moderation: a message of their own, maybe about a post.
  | 'flag_outcome' | 'post_hidden' | 'post_approved' | 'post_rejected' | 'post_deleted' | 'post_pending' | 'sanction' | 'appeal_outcome'
  // Recognition: a badge granted, a rank gained or lost, an ambassador nomination.
  | 'badge' | 'rank' | 'nomination'
  // A reminder the member set on a bookmark (migrations/0037).
  | 'bookmark_reminder';
export type WatchLevel = 'watching' | 'muted';

export interface NotificationsTable {
  id: Generated<number>;
  user_id: number;
  kind: NotificationKind;
  thread_id: number | null;
  post_id: number | null;
  actor_id: number | null;
  created_at: Timestamp;
  read_at: NullableTimestamp;
  message: ColumnType<string, string | undefined, string>;
  /** Where a notice that is not about a post leads (a badge's page, a profile). */
  link: ColumnType<string | null, string | null | undefined, string | null>;
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

/** The site banner (migrations/0042): the newest one not removed is in force until ends_at. */
export interface BannersTable {
  id: Generated<number>;
  body: string;
  body_cooked: string;
  ends_at: NullableTimestamp;
  created_by: number;
  created_at: Timestamp;
  removed_at: NullableTimestamp;
  removed_by: number | null;
}

export interface SettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: Timestamp;
  updated_by: number | null;
}

export type FlagReason = 'spam' | 'offensive' | 'off_topic' | 'other';

export interface FlagsTable {
  id: Generated<number>;
  post_id: number;
  user_id: number;
  reason: FlagReason;
  note: ColumnType<string, string | undefined, string>;
  weight: number;
  created_at: Timestamp;
  outcome: 'agreed' | 'disagreed' | null;
  resolved_at: NullableTimestamp;
}

export type QueueKind = 'flag' | 'approval' | 'watched_word' | 'spam' | 'appeal';
export type QueueResolution = 'approve' | 'reject' | 'hide' | 'delete' | 'dismiss' | 'edit_approve' | 'uphold' | 'lift';

export interface QueueItemsTable {
  id: Generated<number>;
  kind: QueueKind;
  post_id: number | null;
  appeal_id: number | null;
  category_id: number | null;
  detail: ColumnType<string, string | undefined, string>;
  status: ColumnType<'open' | 'resolved', 'open' | 'resolved' | undefined, 'open' | 'resolved'>;
  created_at: Timestamp;
  claimed_by: number | null;
  claimed_at: NullableTimestamp;
  resolved_by: number | null;
  resolved_at: NullableTimestamp;
  resolution: QueueResolution | null;
  note: ColumnType<string, string | undefined, string>;
}

export type WatchedWordAction = 'block' | 'require_approval' | 'censor' | 'flag';

export interface WatchedWordsTable {
  id: Generated<number>;
  word: string;
  action: WatchedWordAction;
  created_by: number | null;
  created_at: Timestamp;
}

export type SanctionKind = 'warn' | 'silence' | 'suspend' | 'ban';

export interface SanctionsTable {
  id: Generated<number>;
  user_id: number;
  kind: SanctionKind;
  reason: string;
  starts_at: ColumnType<Date, Date | string, Date | string>;
  ends_at: NullableTimestamp;
  created_by: number;
  lifted_at: NullableTimestamp;
  lifted_by: number | null;
}

export interface AppealsTable {
  id: Generated<number>;
  sanction_id: number;
  user_id: number;
  body: string;
  created_at: Timestamp;
  outcome: 'upheld' | 'lifted' | null;
  decided_by: number | null;
  decided_at: NullableTimestamp;
}

export type LogTargetType =
  | 'post' | 'thread' | 'user' | 'queue_item' | 'setting' | 'watched_word' | 'category' | 'sanction' | 'appeal' | 'export' | 'badge'
  | 'invite';

export interface StaffLogTable {
  id: Generated<number>;
  actor_id: number;
  action: string;
  target_type: LogTargetType;
  target_id: number | null;
  target_label: ColumnType<string, string | undefined, string>;
  before: ColumnType<unknown, string | null | undefined, never>;
  after: ColumnType<unknown, string | null | undefined, never>;
  reason: ColumnType<string, string | undefined, string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export type ReputationKind =
  | 'answer_upvoted' | 'question_upvoted' | 'post_downvoted' | 'downvoted_answer'
  | 'answer_accepted' | 'accepted_an_answer' | 'post_hidden';

/** The posts past a score or like badge's bar (migrations/0040), kept by a trigger. */
export interface PostsPastBarTable {
  post_id: number;
  user_id: number;
}

export interface PostVotesTable {
  post_id: number;
  user_id: number;
  value: -1 | 1;
  created_at: Timestamp;
}

export interface ReputationEventsTable {
  id: Generated<number>;
  user_id: number;
  kind: ReputationKind;
  points: number;
  post_id: number | null;
  actor_id: number | null;
  reverses: number | null;
  created_at: Timestamp;
}

/** A badge held by a member (migrations/0029); a revoked one keeps its row. */
export interface UserBadgesTable {
  id: Generated<number>;
  user_id: number;
  badge: string;
  /** The post a per-post badge was for, the year of an anniversary; 0 for a badge held once. */
  grant_key: ColumnType<number, number | undefined, never>;
  post_id: number | null;
  granted_at: Timestamp;
  /** Staff who granted it by hand; null when a rule did. */
  granted_by: number | null;
  reason: ColumnType<string, string | undefined, string>;
  revoked_at: NullableTimestamp;
  revoked_by: number | null;
}

/** Members whose facts moved since their badges and rank were last looked at. */
export interface BadgeDueTable {
  user_id: number;
  since: Timestamp;
  /** Due for the badge rules too; false: for a look at the rank only (their reading moved, migrations/0034). */
  badges: ColumnType<boolean, boolean | undefined, boolean>;
}

/** A day a member was here, and what they read that day. */
export interface MemberDaysTable {
  user_id: number;
  day: ColumnType<string, string, never>;
  reading_seconds: ColumnType<number, number | undefined, number>;
  posts_read: ColumnType<number, number | undefined, number>;
  threads_entered: ColumnType<number, number | undefined, number>;
}

export interface RankNominationsTable {
  id: Generated<number>;
  user_id: number;
  nominated_by: number | null;
  note: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
  answer: 'accepted' | 'declined' | 'withdrawn' | null;
  answered_at: NullableTimestamp;
}

export type UploadKind = 'image' | 'pdf' | 'text' | 'zip';

/** An image or file a member uploaded (migrations/0038); its bytes are in the storage under `key`. */
export interface UploadsTable {
  id: Generated<number>;
  key: string;
  thumb_key: string | null;
  user_id: number;
  name: string;
  kind: UploadKind;
  content_type: string;
  size: number;
  width: number | null;
  height: number | null;
  created_at: Timestamp;
}

/** The posts whose markdown names an upload, linked when the post is written or edited. */
export interface PostUploadsTable {
  post_id: number;
  upload_id: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  sign_ins: SignInsTable;
  rate_limits: RateLimitsTable;
  categories: CategoriesTable;
  threads: ThreadsTable;
  posts: PostsTable;
  post_likes: PostLikesTable;
  bookmarks: BookmarksTable;
  drafts: DraftsTable;
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
  settings: SettingsTable;
  banners: BannersTable;
  flags: FlagsTable;
  queue_items: QueueItemsTable;
  watched_words: WatchedWordsTable;
  sanctions: SanctionsTable;
  appeals: AppealsTable;
  staff_log: StaffLogTable;
  post_votes: PostVotesTable;
  posts_past_bar: PostsPastBarTable;
  reputation_events: ReputationEventsTable;
  user_badges: UserBadgesTable;
  badge_due: BadgeDueTable;
  member_days: MemberDaysTable;
  rank_nominations: RankNominationsTable;
  uploads: UploadsTable;
  post_uploads: PostUploadsTable;
  category_members: CategoryMembersTable;
  invites: InvitesTable;
  invite_uses: InviteUsesTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
