// Pages read with an HTML parser: tests assert on the contract's markup hooks.
import { parse, type HTMLElement } from 'node-html-parser';

export type Page = HTMLElement & {
  /** The page's <h1> text. */
  h1(): string;
  /** The text of role="status" / role="alert" messages. */
  messages(): string[];
  /** Field name → the error shown beside it. */
  fieldErrors(): Record<string, string>;
  /** Field name → the value the form shows. */
  values(form?: string): Record<string, string>;
  csrf(): string;
};

export function parsePage(html: string): Page {
  const root = parse(html) as Page;
  root.h1 = () => root.querySelector('h1')?.text.trim() ?? '';
  root.messages = () => root.querySelectorAll('[role=status], [role=alert]').map((e) => e.text.trim());
  root.fieldErrors = () =>
    Object.fromEntries(root.querySelectorAll('.field-error').map((e) => [e.id.replace(/^error-/, ''), e.text.trim()]));
  root.values = (form = 'form.form') => {
    const f = root.querySelector(form);
    if (!f) return {};
    return Object.fromEntries(
      f.querySelectorAll('input, textarea').map((e) => [e.getAttribute('name') ?? '', e.tagName === 'TEXTAREA' ? e.text : (e.getAttribute('value') ?? '')]),
    );
  };
  root.csrf = () => root.querySelector('meta[name=csrf-token]')?.getAttribute('content') ?? '';
  return root;
}
