// Markdown to safe HTML, once, when a post is written. Pages never render markdown on read.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

const md = new MarkdownIt({ html: false, linkify: true, typographer: false }).enable(['table', 'strikethrough']);

interface MentionEnv {
  [key: string | symbol]: unknown;
  /** lower-cased username → its spelling, for the members that exist. */
  members?: Map<string, string>;
  /** Every @name written (outside code and links), lower-cased. */
  candidates?: Set<string>;
  /** The members actually linked. */
  mentioned?: Set<string>;
}

const MENTION = /@([A-Za-z0-9_-]{3,20})(?![A-Za-z0-9_-])/g;

// @name in text (not in code, not inside a link, not in an email address) becomes a link
// to the member's profile, when that member exists.
md.core.ruler.after('linkify', 'mentions', (state) => {
  const env = state.env as MentionEnv;
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const children = [];
    let inLink = 0;
    for (const token of block.children) {
      if (token.type === 'link_open') inLink++;
      if (token.type === 'link_close') inLink--;
      if (token.type !== 'text' || inLink > 0 || !token.content.includes('@')) {
        children.push(token);
        continue;
      }
      const text = token.content;
      let last = 0;
      const pushText = (content: string) => {
        if (!content) return;
        const t = new state.Token('text', '', 0);
        t.content = content;
        children.push(t);
      };
      for (const m of text.matchAll(MENTION)) {
        const before = m.index > 0 ? text[m.index - 1] : '';
        if (/[A-Za-z0-9_.@/-]/.test(before)) continue;
        const key = m[1].toLowerCase();
        env.candidates?.add(key);
        const username = env.members?.get(key);
        if (!username) continue;
        env.mentioned?.add(username);
        pushText(text.slice(last, m.index));
        const open = new state.Token('link_open', 'a', 1);
        open.attrs = [['href', `/u/${username}`], ['class', 'mention']];
        const label = new state.Token('text', '', 0);
        label.content = `@${username}`;
        children.push(open, label, new state.Token('link_close', 'a', -1));
        last = m.index + m[0].length;
      }
      pushText(text.slice(last));
    }
    block.children = children;
  }
});

const allowed: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'em', 'strong', 's', 'del',
    'a', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'img',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'class'],
    img: ['src', 'alt', 'title'],
    code: ['class'],
    ol: ['start'],
  },
  allowedClasses: { code: [/^language-[A-Za-z0-9_+-]+$/], a: ['mention'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow ugc noopener' }),
  },
};

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'" };

/** Plain text from cooked HTML, at most `max` characters: for descriptions and snippets. */
export function excerpt(cooked: string, max = 200): string {
  const text = cooked
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|#x27);/g, (e) => entities[e])
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? text.slice(0, max - 1).trimEnd() + '…' : text;
}

/** The @names a post mentions (lower-cased), before knowing which members exist. */
export function mentionCandidates(markdown: string): string[] {
  const env: MentionEnv = { candidates: new Set() };
  md.parse(markdown, env);
  return [...env.candidates!];
}

/** Cooked HTML; with `members`, their @mentions become profile links (reported in `mentioned`). */
export function cook(markdown: string, members?: Map<string, string>, mentioned?: Set<string>): string {
  const env: MentionEnv = { members, mentioned };
  return sanitizeHtml(md.render(markdown, env), allowed);
}

/** A markdown quote of a post, with a link back to it, to start a reply with. */
export function quoteOf(raw: string, username: string, postId: number): string {
  const text = raw.length > 2000 ? raw.slice(0, 2000).trimEnd() + ' …' : raw;
  const quoted = text
    .trim()
    .split(/\r?\n/)
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
  return `${quoted}\n\n[— ${username}](/p/${postId})\n\n`;
}
