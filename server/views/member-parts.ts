// One rendering of a page shared by every plain member, with the few parts that differ between
// members (their name in the navigation, their likes, their bookmarks, their own posts' links,
// their votes in a question, the unread marker, their watch level, their draft in the reply box,
// their CSRF token) left as slots to fill per request.
//
// Templates mark such a part with {{#memberPart "kind"}}…{{/memberPart}}. Rendered normally, the
// block is simply rendered. Rendered for sharing (the collector is in the root data), the block
// is rendered once for each way it can come out — a post's links as its author sees them, as
// someone who liked it sees them, as anyone else does (from the post's view, which the renderer
// gives: PostAs) — and the page keeps them all; a request picks one of each. A question's votes
// come out in more ways (the member's vote, whether they may vote down, whether they asked):
// each is rendered the first time a member needs it, from the post's view for that member
// (VotesAs), and kept with the page for the next one who sees the same. The thread edits that
// follow rank (rename, tags, move, close as a duplicate) are drawn the same way, from the page's
// view for that member (EditsAs). Only the navigation's
// account part is rendered per request (the member's name and unread count), from the block itself.
//
// The pieces are kept as UTF-8 bytes and a filled page is one Buffer made by copying them: the
// socket takes it as it is, where a string joined from them would be flattened and encoded again
// on every request (that encoding was the largest single cost of a signed-in thread page).
import { randomBytes } from 'node:crypto';
import { TOKEN_SLOT } from '../cache/guest-pages.ts';
import type { Viewer } from '../permissions.ts';

/** Where the collector rides in a shared rendering's root data. */
export const PARTS = 'memberParts';
/** Stands for the member's CSRF token among a shared page's pieces. */
const TOKEN = 0;
/**
 * Where the member's draft goes in the reply box: the shared rendering is drawn with this as the
 * box's text (hex, so escaping leaves it as it is), and each request puts their draft there.
 */
export const DRAFT_SLOT = `draft-slot-${randomBytes(8).toString('hex')}`;
const DRAFT = 1;

type Piece = Buffer | typeof TOKEN | typeof DRAFT;
type Render = (context: object) => string;
/** What a post part needs to know of its post to tell its variants apart. */
interface PostFacts {
  id: number;
  user_id: number;
}

/**
 * A post's context as a member who wrote it (`own`), liked it (`liked`) or neither (`other`)
 * sees it: the page's own view of a post (server/threads/post-view.ts), given by whoever renders.
 */
export type PostAs = (post: Record<string, unknown>, as: 'own' | 'liked' | 'other') => object;

/**
 * A question's post's votes as this member sees them, having voted `vote` on it: `key` names the
 * rendering (the same for every member who sees the same block), `view` gives the post's view for
 * them to render it from (asked only when no member has needed that rendering yet).
 */
export type VotesAs = (post: Record<string, unknown>, viewer: Viewer, vote: -1 | 0 | 1) => { key: string; view: () => object };

/**
 * The thread edits a member is offered on this page (threadEditsFor in server/permissions.ts, at
 * `now`), as `key` (the same for every member offered the same) and the page's view for them.
 */
export type EditsAs = (context: Record<string, unknown>, viewer: Viewer, now: Date) => { key: string; view: () => object };

type Part =
  | { kind: 'post'; postId: number; authorId: number; own: Piece[]; liked: Piece[]; other: Piece[] }
  | {
      kind: 'votes'; postId: number; post: Record<string, unknown>; render: Render; drawn: Map<string, Piece[]>;
      /** The rendering each member got, by their vote (-1, 0, 1 at 0, 1, 2): asked of VotesAs once per member and vote. */
      seen: WeakMap<object, (Piece[] | undefined)[]>;
    }
  | { kind: 'thread-edits'; context: Record<string, unknown>; render: Render; drawn: Map<string, Piece[]> }
  | { kind: 'divider'; postId: number; on: Piece[]; off: Piece[] }
  | { kind: 'bookmark'; postId: number; on: Piece[]; off: Piece[] }
  | { kind: 'watch'; levels: Record<string, Piece[]> }
  | { kind: 'account'; render: Render }
  /** The site banner (views/partials/site/banner.hbs): shown, or not to a member who dismissed it, nor once it ends. */
  | { kind: 'banner'; id: number | null; endsAt: Date | null; on: Piece[]; off: Piece[] };

/** What a member's request fills the slots with. */
export interface MemberFacts {
  viewer: Viewer;
  token: string;
  liked: ReadonlySet<number>;
  /** Their votes on the page's posts, in a question. */
  votes?: ReadonlyMap<number, -1 | 1>;
  /** The post the unread marker goes before, if any. */
  firstUnread?: number;
  /** The posts on the page they bookmarked. */
  bookmarked?: ReadonlySet<number>;
  /** Their draft for the page's reply box, escaped for the textarea (DRAFT_SLOT), if any. */
  draft?: Buffer | null;
  watch: string;
  /** The moment the page is filled for: what a silence in force refuses. */
  now?: Date;
}

const splitOn = (html: string, slot: string, piece: typeof TOKEN | typeof DRAFT, rest: (s: string) => Piece[]): Piece[] =>
  html.split(slot).flatMap((s, i): Piece[] => (i === 0 ? rest(s) : [piece, ...rest(s)]));
const split = (html: string): Piece[] =>
  splitOn(html, TOKEN_SLOT, TOKEN, (s) => splitOn(s, DRAFT_SLOT, DRAFT, (t) => [Buffer.from(t)])).filter((p) => !Buffer.isBuffer(p) || p.length > 0);

export class PartCollector {
  private parts: Part[] = [];
  private marker = `\u0000part-${randomBytes(4).toString('hex')}-`;

  constructor(
    private postAs: PostAs,
    private votesAs?: VotesAs,
    private editsAs?: EditsAs,
  ) {}

  /** Called by the memberPart helper: keeps the part's variants and leaves a marker. */
  part(kind: string, context: Record<string, unknown>, render: Render): string {
    const post = context as unknown as PostFacts;
    switch (kind) {
      case 'post-meta':
      case 'post-actions':
        this.parts.push({
          kind: 'post', postId: post.id, authorId: post.user_id,
          own: split(render(this.postAs(context, 'own'))),
          liked: split(render(this.postAs(context, 'liked'))),
          other: split(render(this.postAs(context, 'other'))),
        });
        break;
      case 'votes':
        this.parts.push({ kind: 'votes', postId: post.id, post: context, render, drawn: new Map(), seen: new WeakMap() });
        break;
      case 'thread-edits':
        this.parts.push({ kind: 'thread-edits', context, render, drawn: new Map() });
        break;
      case 'bookmark':
        this.parts.push({ kind: 'bookmark', postId: post.id, on: split(render({ ...context, bookmarked: true })), off: split(render({ ...context, bookmarked: false })) });
        break;
      case 'divider':
        this.parts.push({ kind: 'divider', postId: post.id, on: split(render({ ...context, isFirstUnread: true })), off: split(render({ ...context, isFirstUnread: false })) });
        break;
      case 'watch':
        this.parts.push({
          kind: 'watch',
          levels: Object.fromEntries(
            ['watching', 'normal', 'muted'].map((level) => [level, split(render({ ...context, watch: { ...(context.watch as object), level } }))]),
          ),
        });
        break;
      case 'account':
        this.parts.push({ kind: 'account', render });
        break;
      case 'banner': {
        const banner = context.banner as { id: number; endsAt: Date | null } | null;
        this.parts.push({
          kind: 'banner', id: banner?.id ?? null, endsAt: banner?.endsAt ?? null,
          on: split(render({ ...context, showBanner: banner !== null })), off: split(render({ ...context, showBanner: false })),
        });
        break;
      }
      default:
        throw new Error(`unknown member part ${kind}`);
    }
    return `${this.marker}${this.parts.length - 1}\u0000`;
  }

  /** The rendered page, ready to be filled for any plain member. */
  finish(html: string): SharedPage {
    const pieces: (Piece | Part)[] = [];
    const re = new RegExp(`${this.marker}(\\d+)\u0000`, 'g');
    let last = 0;
    for (const m of html.matchAll(re)) {
      pieces.push(...split(html.slice(last, m.index)), this.parts[Number(m[1])]);
      last = m.index + m[0].length;
    }
    pieces.push(...split(html.slice(last)));
    return new SharedPage(pieces, this.votesAs, this.editsAs);
  }
}

/**
 * The account part as last rendered for a member: the member object is kept with their session
 * (server/sessions/store.ts) and replaced when anything on it changes, so it is a fair key.
 */
const accounts = new WeakMap<object, { token: string; html: Buffer }>();

export class SharedPage {
  constructor(
    private pieces: (Piece | Part)[],
    private votesAs?: VotesAs,
    private editsAs?: EditsAs,
  ) {}

  /** The page as this member sees it, as UTF-8. */
  fill(m: MemberFacts): Buffer {
    const token = Buffer.from(m.token);
    const out: Buffer[] = [];
    const slot = (p: typeof TOKEN | typeof DRAFT) => {
      if (p === TOKEN) out.push(token);
      else if (m.draft) out.push(m.draft);
    };
    const put = (list: Piece[]) => {
      for (const p of list) {
        if (Buffer.isBuffer(p)) out.push(p);
        else slot(p);
      }
    };
    for (const piece of this.pieces) {
      if (piece === TOKEN || piece === DRAFT) slot(piece);
      else if (Buffer.isBuffer(piece)) out.push(piece);
      else if (piece.kind === 'post') put(piece.authorId === m.viewer.id ? piece.own : m.liked.has(piece.postId) ? piece.liked : piece.other);
      else if (piece.kind === 'votes') put(this.votesFor(piece, m));
      else if (piece.kind === 'thread-edits') put(this.editsFor(piece, m));
      else if (piece.kind === 'divider') put(piece.postId === m.firstUnread ? piece.on : piece.off);
      else if (piece.kind === 'bookmark') put(m.bookmarked?.has(piece.postId) ? piece.on : piece.off);
      else if (piece.kind === 'watch') put(piece.levels[m.watch] ?? piece.levels.normal);
      else if (piece.kind === 'banner') {
        const ended = piece.endsAt !== null && piece.endsAt <= (m.now ?? new Date());
        put(piece.id !== null && !ended && m.viewer.dismissedBanner !== piece.id ? piece.on : piece.off);
      } else {
        let account = accounts.get(m.viewer);
        if (account?.token !== m.token) accounts.set(m.viewer, (account = { token: m.token, html: Buffer.from(piece.render({ viewer: m.viewer, csrfToken: m.token })) }));
        out.push(account.html);
      }
    }
    return Buffer.concat(out);
  }

  /** The thread edits this member is offered: rendered once for all who are offered the same. */
  private editsFor(piece: Extract<Part, { kind: 'thread-edits' }>, m: MemberFacts): Piece[] {
    if (!this.editsAs) throw new Error('a shared page with thread edits needs EditsAs');
    const { key, view } = this.editsAs(piece.context, m.viewer, m.now ?? new Date());
    let drawn = piece.drawn.get(key);
    if (!drawn) piece.drawn.set(key, (drawn = split(piece.render(view()))));
    return drawn;
  }

  /**
   * A post's votes as this member sees them: rendered once for all who see the same. Which one a
   * member sees is asked once per member and vote, and kept by their member object, which is
   * replaced when anything on it changes (like the account part's): the post and its thread are
   * the page's, kept only while they do not change.
   */
  private votesFor(piece: Extract<Part, { kind: 'votes' }>, m: MemberFacts): Piece[] {
    if (!this.votesAs) throw new Error('a shared page with votes needs VotesAs');
    const vote = m.votes?.get(piece.postId) ?? 0;
    let seen = piece.seen.get(m.viewer);
    const known = seen?.[vote + 1];
    if (known) return known;
    const { key, view } = this.votesAs(piece.post, m.viewer, vote);
    let drawn = piece.drawn.get(key);
    if (!drawn) piece.drawn.set(key, (drawn = split(piece.render(view()))));
    if (!seen) piece.seen.set(m.viewer, (seen = []));
    seen[vote + 1] = drawn;
    return drawn;
  }

}

/** The helper: {{#memberPart "kind"}}…{{/memberPart}}. */
export function memberPart(this: Record<string, unknown>, kind: string, options: { fn: Render; data?: { root?: Record<string, unknown> } }) {
  const collector = options.data?.root?.[PARTS] as PartCollector | undefined;
  return collector ? collector.part(kind, this, (context) => options.fn(context)) : options.fn(this);
}
