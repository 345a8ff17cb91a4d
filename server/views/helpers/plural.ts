// {{plural replyCount "reply" "replies"}} → "1 reply", "4 replies".
export const plural = (n: unknown, one: unknown, many: unknown) => `${Number(n)} ${Number(n) === 1 ? one : many}`;
