// Thread pages as plain members share them, and what is kept of each member for those pages
// (server/threads/member-page.ts says what both hold; server/views/member-parts.ts how a
// shared page is filled).
//
// A shared page is kept per thread and page number until the thread changes (thread:<id>); a
// member's own facts about it (read position, watch level, likes, their held posts) until the
// thread or the member's reads, watches or likes change (reads:<id>, migrations/0024). Both
// stores are switched by cache.memberPages.
import type { ChangeBus } from './change-bus.ts';
import { Kept, type Snapshot } from './kept.ts';

export class MemberPages {
  private pages: Kept<unknown>;
  private facts: Kept<unknown>;

  constructor(bus: ChangeBus, on: boolean) {
    this.pages = new Kept(bus, on);
    this.facts = new Kept(bus, on);
  }

  /** Whether members' pages are shared at all (cache.memberPages). */
  get on() {
    return this.pages.on;
  }

  /** Taken before the thread is read for a shared page. */
  pageSnapshot(threadId: number): Snapshot {
    return this.pages.snapshot([`thread:${threadId}`]);
  }

  /** The shared rendering of this page of the thread, if the thread has not changed since. */
  page<T>(threadId: number, page: number): T | undefined {
    return this.pages.find(`${threadId}:${page}`) as T | undefined;
  }

  keepPage<T>(threadId: number, page: number, value: T, snapshot: Snapshot) {
    this.pages.keep(`${threadId}:${page}`, value, snapshot);
  }

  /** Taken before a member's facts about a thread are read. */
  factsSnapshot(userId: number, threadId: number): Snapshot {
    return this.facts.snapshot([`reads:${userId}`, `thread:${threadId}`]);
  }

  /** What was read of this member for this page of the thread, if none of it has changed since. */
  memberFacts<T>(userId: number, threadId: number, page: number): T | undefined {
    return this.facts.find(`${userId}:${threadId}:${page}`) as T | undefined;
  }

  keepMemberFacts<T>(userId: number, threadId: number, page: number, value: T, snapshot: Snapshot) {
    this.facts.keep(`${userId}:${threadId}:${page}`, value, snapshot);
  }

  /** Drops a member's facts that this process just changed (their read mark), without waiting to hear so. */
  forgetMemberFacts(userId: number, threadId: number, page: number) {
    this.facts.forget(`${userId}:${threadId}:${page}`);
  }
}
