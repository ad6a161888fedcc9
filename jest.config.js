// Our TypeScript is compiled to CommonJS by @swc/jest. Nest 12 packages ship as ESM only; on
// Node 24 Jest loads them from node_modules untransformed through require(esm).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};
module.exports = {
  // Global options: Jest ignores them inside a project. e2e tests wait on real I/O.
  testTimeout: 30000,
  // On 2 cores Jest's default is 1 worker, but an e2e suite mostly waits on Postgres, Redis and
  // timers. 13 typical suites on a quiet machine: 62 s with 1 worker, 33 s with 2; shared with
  // other test runs: 93 s with 1, 63 s with 2, 84 s with 3 (and ws-limits failed). Resilience suites time locks and token
  // buckets: at load ~10, instance-kill failed once with 2 workers and with 3, presence-kill with
  // 3; all pass alone. At most ~45 of Postgres's 100 connections were in use.
  // `--maxWorkers` / `--runInBand` on the command line still win.
  maxWorkers: 2,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      rootDir: __dirname,
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
};
