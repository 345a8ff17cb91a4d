// A browser stand-in over app.inject(): keeps cookies, reads the CSRF token from the last
// page, submits forms as application/x-www-form-urlencoded, optionally as htmx would. Like a
// browser, it sends a form's hidden fields along (the registration form's signed stamp).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { parsePage, type Page } from './html.ts';

export interface Response extends LightMyRequestResponse {
  page(): Page;
}

/** Form fields; pairs allow a name twice (checkboxes, multiple choices). */
export type Fields = Record<string, string> | [string, string][];

export class Agent {
  cookies = new Map<string, string>();
  csrfToken = '';
  /** The hidden fields (other than the CSRF token) of each form on the last page, by action; null where several forms share one. */
  hiddenFields = new Map<string, [string, string][] | null>();

  constructor(private app: FastifyInstance) {}

  private cookieHeader(): string {
    // Values are kept decoded; a browser sends them back as they were set (encoded), so that a
    // value with a `;` in it (a flash message) stays one cookie.
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }

  private remember(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const gone = c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()) || c.value === '';
      if (gone) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  async request(method: 'GET' | 'POST', url: string, opts: { form?: Fields; headers?: Record<string, string> } = {}): Promise<Response> {
    // Tests also write straight to the database; its change announcements reach the app a moment
    // later (cached pages, the moderation settings each process keeps). A test's browser waits
    // for them, as a person would by not being that fast.
    await this.app.pageCache?.sync();
    const res = (await this.app.inject({
      method,
      url,
      headers: {
        cookie: this.cookieHeader(),
        ...(opts.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...opts.headers,
      },
      payload: opts.form ? new URLSearchParams(opts.form).toString() : undefined,
    })) as Response;
    this.remember(res);
    let parsed: Page | undefined;
    res.page = () => (parsed ??= parsePage(res.body));
    if (String(res.headers['content-type'] ?? '').startsWith('text/html')) {
      const token = res.page().csrf();
      if (token) this.csrfToken = token;
      this.rememberForms(res.page());
    }
    return res;
  }

  private rememberForms(page: Page) {
    this.hiddenFields.clear();
    for (const form of page.querySelectorAll('form[method=post]')) {
      const action = form.getAttribute('action');
      if (!action) continue;
      const fields = form
        .querySelectorAll('input[type=hidden]')
        .map((i) => [i.getAttribute('name') ?? '', i.getAttribute('value') ?? ''] as [string, string])
        .filter(([name]) => name && name !== '_csrf');
      // Which of several forms a test means is not known: send none of their hidden fields.
      this.hiddenFields.set(action, this.hiddenFields.has(action) ? null : fields);
    }
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request('GET', url, { headers });
  }

  /** GET a page and parse it. */
  async page(url: string): Promise<Page> {
    return (await this.get(url)).page();
  }

  /**
   * POST a form with the CSRF token of the last page seen; with none yet, one from the search
   * page (a guest's kept pages carry no token: they post nothing).
   */
  async submit(url: string, fields: Fields = {}, opts: { htmx?: boolean; csrf?: boolean } = {}) {
    if (!this.csrfToken && opts.csrf !== false) await this.get('/search');
    const given = Array.isArray(fields) ? fields : Object.entries(fields);
    // The hidden fields of the form on the last page that posts here, unless the test sets them.
    const hidden = (this.hiddenFields.get(url) ?? []).filter(([name]) => !given.some(([n]) => n === name));
    const pairs = [...hidden, ...given];
    const form: Fields = opts.csrf === false ? pairs : [['_csrf', this.csrfToken], ...pairs];
    return this.request('POST', url, { form, headers: opts.htmx ? { 'hx-request': 'true' } : {} });
  }

  /** The session cookie's value (the signed session id), if any. */
  session(): string | undefined {
    return this.cookies.get('hearth_session');
  }
}
