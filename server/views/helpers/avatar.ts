// {{avatar author 48}} → the member's avatar, 48 px square, alt="" (their name is beside it);
// {{avatar author 24 "lazy"}} on lists, where most are below the fold. `author` carries the
// columns read with the name (username, display_name, avatar): no query of its own.
import Handlebars from 'handlebars';
import { avatarUrls, type AvatarOwner } from '../avatars.ts';

export function avatar(owner: unknown, size: unknown, loading?: unknown): Handlebars.SafeString | string {
  if (!owner || typeof owner !== 'object' || typeof (owner as AvatarOwner).username !== 'string') return '';
  const shown = Number(size) > 0 ? Math.round(Number(size)) : 48;
  const { src, dense } = avatarUrls(owner as AvatarOwner, shown);
  // The addresses are made of hex digits and a few fixed characters: nothing in them needs escaping.
  const srcset = dense ? ` srcset="${src} 1x, ${dense} 2x"` : '';
  const lazy = loading === 'lazy' ? ' loading="lazy"' : '';
  return new Handlebars.SafeString(`<img class="avatar" src="${src}"${srcset} width="${shown}" height="${shown}" alt=""${lazy} decoding="async">`);
}
