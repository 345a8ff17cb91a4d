// What a poll is, as the new-thread form gives it and as a thread's page shows it: shared by the
// queries and the rules, which import these rather than one another.

export interface PollInput {
  question: string;
  options: string[];
  multiple: boolean;
  closesAt: Date | null;
}

/** A thread's poll with its options and whether the viewer has voted (pollOfThread). */
export interface Poll {
  id: number;
  threadId: number;
  question: string;
  multiple: boolean;
  closes_at: Date | null;
  voter_count: number;
  hasVoted: boolean;
  options: { id: number; label: string; vote_count: number; chosen: boolean }[];
}
