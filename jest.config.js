module.exports = {
  roots: ['<rootDir>'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'jsx', 'json', 'node'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/build/'],
  // isolatedModules in tsconfig.json makes ts-jest transpile without
  // type-checking; `npm run compile` type-checks everything, tests included.
  transform: {
    '^.+\\.tsx?$': 'ts-jest',
  },
  // Jest's default is one worker per core less one: a single worker on 2 cores.
  // Most of the suite's time is spent waiting on real processes (Fluent Bit's
  // retries and flushes, nginx, outages held for seconds), so 4 workers on
  // 2 cores measured 44-49 s against 78 s for 2; 6 made timing-bound tests fail.
  maxWorkers: 4,
  // Every snapshot lives in the top-level __snapshots__/, wherever its test is.
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
};
