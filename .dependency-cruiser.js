// Layer rules of the hexagonal layout, checked on every test run.

/** Rules of one shape: code under `from` may not import code under `to`. */
const layer = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });

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
    ...[
      ['scripts-and-tests-use-no-service-code', "The CLI, benches and acceptance tests use the libraries or the HTTP API, not a service's internals.", '^(scripts|test)/', '^services/'],
      ['services-use-no-scripts', 'Service code (specs included) uses libraries, not scripts.', '^services/', '^scripts/'],
      ['libs-know-no-services', 'libs/ hold shared code with no service knowledge.', '^libs/', '^services/'],
      ['contracts-are-leaves', 'Event schemas depend on nothing of ours but each other.', '^libs/contracts/', '^(libs/(ledger|platform|testing)|services)/'],
      ['projections-know-no-contexts', 'The projection runtime and read stores are generic; report projections live in libs/reports.', '^libs/projections/', '^(libs/(platform|contracts)|services)/'],
      ['ledger-knows-no-platform', 'The ledger library is the bottom layer.', '^libs/ledger/', '^libs/(platform|contracts)/'],
      [
        'messaging-knows-no-platform',
        'Kafka transport primitives (relay, feed, publisher) are generic; the Nest wiring of services lives in libs/platform, which may use them.',
        '^libs/messaging/',
        '^(libs/(platform|contracts)|services)/',
      ],
      ['config-is-a-leaf', 'Environment validation depends on nothing of ours.', '^libs/config/', '^(libs/(?!config/)|services)/'],
    ].map(([name, comment, from, to]) => layer(name, comment, from, to)),
    {
      name: 'platform-through-its-entry-points',
      comment: 'The platform has one entry point per concern (@peil/platform/streams, /auth, /privacy, …; decision 0088): a service takes only the concerns it uses, never a file behind an entry.',
      severity: 'error',
      from: { pathNot: '^libs/platform/' },
      to: { path: '^libs/platform/src/', pathNot: '^libs/platform/src/[a-z]+/index\\.ts$' },
    },
    {
      name: 'reports-are-production-code',
      comment: 'The report engine and projections (libs/reports) run in the service and the CLI: test helpers only in its specs.',
      severity: 'error',
      from: { path: '^libs/reports/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^libs/testing/' },
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
