// What a valid account looks like. Pure: used by the registration form and by user:create.
import type { FieldErrors } from '../errors.ts';
import { roles } from '../permissions.ts';

export const USERNAME = /^[A-Za-z0-9_-]{3,20}$/;
// Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
export const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 1024;

export interface Registration {
  username: string;
  email: string;
  password: string;
}

export function registrationErrors(input: Registration): FieldErrors {
  const errors: FieldErrors = {};
  if (!USERNAME.test(input.username)) {
    errors.username = 'Choose a username of 3 to 20 letters, digits, _ or -.';
  }
  if (input.email.length > 254 || !EMAIL.test(input.email)) {
    errors.email = 'Enter a valid email address, like name@example.com.';
  }
  const password = passwordError(input.password);
  if (password) errors.password = password;
  return errors;
}

/** What is wrong with a new password, if anything: the same rule at registration and on the account page. */
export function passwordError(password: string): string | undefined {
  if (password.length < PASSWORD_MIN) return `Choose a password of at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Passwords are at most ${PASSWORD_MAX} characters.`;
  return undefined;
}

export function isRole(value: string): value is (typeof roles)[number] {
  return (roles as readonly string[]).includes(value);
}

/**
 * Where to go after signing in: only a path on this site, never another origin. Printable
 * ASCII only: browsers drop tabs and newlines from a URL and read \ as / (so "/<TAB>/x" and
 * "/\x" are "//x", another host), and a control character cannot go in a Location header at
 * all. What we send to /login?next= is a request's URL, printable ASCII already.
 */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/.test(next) ? next : '/';
}
