// The fixed parts of a synthetic community: its categories and its tags.
import { wordGroups } from './words.ts';

export interface CategorySeed {
  name: string;
  slug: string;
  description: string;
  color: string;
}

const categoryNames: [string, string, string][] = [
  ['General', 'general', 'Anything about the product and the people who use it.'],
  ['Help & Questions', 'help', 'Ask the community; mark the answer that solved it.'],
  ['Ideas & Feedback', 'ideas', 'What should we build next? Vote and discuss.'],
  ['Announcements', 'announcements', 'News from the team.'],
  ['Introductions', 'introductions', 'New here? Say hello.'],
  ['Getting Started', 'getting-started', 'First steps, set-up and the basics.'],
  ['How-to Guides', 'how-to', 'Step-by-step guides written by members.'],
  ['Tips & Tricks', 'tips', 'Small things that save time.'],
  ['Bug Reports', 'bugs', 'Something broken? Tell us how to see it happen.'],
  ['Release Notes', 'releases', 'What changed in each version.'],
  ['Mobile App', 'mobile', 'The app on phones and tablets.'],
  ['Desktop App', 'desktop', 'The app on Windows, macOS and Linux.'],
  ['Web App', 'web', 'The app in the browser.'],
  ['Integrations', 'integrations', 'Connecting with the other tools you use.'],
  ['Developers & API', 'developers', 'Building on the API, webhooks and plugins.'],
  ['Accounts & Billing', 'billing', 'Plans, invoices and account settings.'],
  ['Privacy & Security', 'security', 'Keeping your data and your account safe.'],
  ['Accessibility', 'accessibility', 'Making everything usable by everyone.'],
  ['Translations', 'translations', 'The product in your language.'],
  ['Workflows & Automation', 'workflows', 'Routines, templates and automatic steps.'],
  ['Templates', 'templates', 'Share and find ready-made templates.'],
  ['Show and Tell', 'show-and-tell', 'What you have made with it.'],
  ['Events & Meetups', 'events', 'Meet other members online and in person.'],
  ['Webinars', 'webinars', 'Recordings and questions from our sessions.'],
  ['Community Lounge', 'lounge', 'Chat about anything at all.'],
  ['Off Topic', 'off-topic', 'Everything else.'],
  ['Home & Garden', 'home-garden', 'Houses, flats, gardens and everything in them.'],
  ['Cooking', 'cooking', 'Recipes, kitchens and the meals in between.'],
  ['Travel', 'travel', 'Trips, maps and where to go next.'],
  ['Fitness & Health', 'fitness', 'Running, cycling, yoga and rest days.'],
  ['Books & Reading', 'books', 'What you are reading and what to read next.'],
  ['Music', 'music', 'Playing, listening and making music.'],
  ['Photography', 'photography', 'Cameras, light and pictures.'],
  ['Games & Puzzles', 'games', 'Board games, video games and puzzles.'],
  ['Learning', 'learning', 'Courses, classes and studying together.'],
  ['Small Business', 'small-business', 'Running a shop, a studio or a side project.'],
  ['Hardware', 'hardware', 'Devices, cables, batteries and chargers.'],
  ['Pets & Animals', 'pets', 'The animals in our lives.'],
  ['Local Groups', 'local-groups', 'Members near you.'],
  ['Archive', 'archive', 'Older discussions kept for reference.'],
];

// Distinct enough to tell apart in a list, readable on light and dark backgrounds.
const palette = [
  '#b45309', '#2563eb', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626',
  '#4f46e5', '#0d9488', '#ca8a04', '#9333ea', '#e11d48', '#0284c7', '#16a34a', '#c2410c',
];

/** Up to 40 categories, the busiest first (threads are drawn towards the front). */
export function categorySeeds(count: number): CategorySeed[] {
  return categoryNames.slice(0, count).map(([name, slug, description], i) => ({
    name,
    slug,
    description,
    color: palette[i % palette.length],
  }));
}

/**
 * Tag names: every so often along the nouns of the word list (not its small words, verbs and
 * adjectives), so neighbouring tags belong to the same group and a thread's tags go together.
 */
export function tagNames(count: number): string[] {
  // Computers, community life and work first: the first tags are the most used.
  const nouns = ['computers', 'community', 'work', 'odds', 'time', 'people', 'home', 'things', 'outdoors', 'food', 'animals', 'health', 'travel', 'leisure', 'money']
    .flatMap((key) => wordGroups.get(key)!);
  const n = Math.min(count, nouns.length);
  return Array.from({ length: n }, (_, i) => nouns[Math.floor((i * nouns.length) / n)]);
}
