// The import graph's rules, checked in CI (`npm run check:imports`). Type-only imports count: a
// cycle through types still ties two rooms together.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Modules that import each other, directly or round about.', from: {}, to: { circular: true } },
    {
      name: 'access-below-features',
      severity: 'error',
      comment: 'server/access answers what a viewer may see; it sits below every feature and imports only the database layer, permissions and errors.',
      from: { path: '^server/access/' },
      to: { path: '^server/', pathNot: ['^server/access/', '^server/db/', '^server/permissions\\.ts$', '^server/errors\\.ts$'] },
    },
    {
      name: 'permissions-pure',
      severity: 'error',
      comment: 'server/permissions.ts is pure: table types, the error it answers with, and how moments are said.',
      from: { path: '^server/permissions\\.ts$' },
      to: { path: '^server/', pathNot: ['^server/db/schema\\.ts$', '^server/errors\\.ts$', '^server/text/moments\\.ts$'] },
    },
    {
      name: 'db-below-all',
      severity: 'error',
      comment: 'The database layer knows no feature.',
      from: { path: '^server/db/' },
      to: { path: '^server/', pathNot: ['^server/db/', '^server/errors\\.ts$'] },
    },
    {
      name: 'migrations-frozen',
      severity: 'error',
      comment: 'A migration is frozen in time: it imports nothing of the app.',
      from: { path: '^migrations/' },
      to: { path: '^(server|scripts)/' },
    },
    {
      name: 'server-not-tests',
      severity: 'error',
      comment: 'The app never imports its tests or scripts.',
      from: { path: '^server/' },
      to: { path: '^(test|scripts)/' },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
