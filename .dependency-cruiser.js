// Layer rules of the hexagonal layout, checked on every test run.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'Deciders are pure: no framework, no I/O, no adapters, no application or http code.',
      severity: 'error',
      from: { path: '^services/[^/]+/src/domain/' },
      to: {
        pathNot: ['^services/[^/]+/src/domain/', '^libs/contracts/', '^libs/testing/', 'node_modules/fast-check', 'node_modules/zod'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'no-service-imports-another',
      comment: "A context knows another only through libs/contracts (its events and published views) or its HTTP API, never through its code.",
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: ['^services/$1/'] },
    },
    {
      name: 'scripts-and-tests-use-no-service-code',
      comment: 'The CLI, benches and acceptance tests use the libraries or the HTTP API, not a service\'s internals.',
      severity: 'error',
      from: { path: '^(scripts|test)/' },
      to: { path: '^services/' },
    },
    {
      name: 'services-use-no-scripts',
      comment: 'Service code (specs included) uses libraries, not scripts.',
      severity: 'error',
      from: { path: '^services/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'libs-know-no-services',
      comment: 'libs/ hold shared code with no service knowledge.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^services/' },
    },
    {
      name: 'contracts-are-leaves',
      comment: 'Event schemas depend on nothing of ours but each other.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^(libs/(ledger|platform|testing)|services)/' },
    },
    {
      name: 'projections-know-no-contexts',
      comment: 'The projection runtime and read stores are generic; report projections live in libs/reports.',
      severity: 'error',
      from: { path: '^libs/projections/' },
      to: { path: '^(libs/(platform|contracts)|services)/' },
    },
    {
      name: 'reports-are-production-code',
      comment: 'The report engine and projections (libs/reports) run in the service and the CLI: test helpers only in its specs.',
      severity: 'error',
      from: { path: '^libs/reports/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^libs/testing/' },
    },
    {
      name: 'ledger-knows-no-platform',
      comment: 'The ledger library is the bottom layer.',
      severity: 'error',
      from: { path: '^libs/ledger/' },
      to: { path: '^libs/(platform|contracts)/' },
    },
    {
      name: 'messaging-knows-no-platform',
      comment: 'Kafka transport primitives (relay, feed, publisher) are generic; the Nest wiring of services lives in libs/platform, which may use them.',
      severity: 'error',
      from: { path: '^libs/messaging/' },
      to: { path: '^(libs/(platform|contracts)|services)/' },
    },
    {
      name: 'config-is-a-leaf',
      comment: 'Environment validation depends on nothing of ours.',
      severity: 'error',
      from: { path: '^libs/config/' },
      to: { path: '^(libs/(?!config/)|services)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|node_modules)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
