// How the account page names what it lists. Pure.
import Bowser from 'bowser';

/**
 * "Firefox on Windows", from a User-Agent header. Browsers' agent strings are a maze of
 * borrowed names (every one claims to be Mozilla, Chrome's claims Safari), so they are read by
 * bowser, whose patterns are kept up to date with the browsers, rather than by patterns of ours.
 */
export function deviceName(userAgent: string | null): string {
  if (!userAgent) return 'An unknown browser';
  const { browser, os } = Bowser.parse(userAgent);
  if (browser.name && os.name) return `${browser.name} on ${os.name}`;
  if (browser.name) return browser.name;
  if (os.name) return `A browser on ${os.name}`;
  return 'An unknown browser';
}
