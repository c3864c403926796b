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
  // Many tests wait on real processes, so both cores are worth using (more
  // workers than cores measured slower: they compete for the CPU the real
  // programs need).
  maxWorkers: '100%',
  // Every snapshot lives in the top-level __snapshots__/, wherever its test is.
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
};
