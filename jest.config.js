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
  // Every snapshot lives in the top-level __snapshots__/, wherever its test is.
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
};
