const fs = require('fs');
const path = require('path');

// Keeps every snapshot in the project's top-level __snapshots__/, as in the
// cdk8s app template, also for the tests under test/. Test file names are
// unique across the project, so the base name identifies the test.
const root = path.resolve(__dirname, '..');
const snapshotDir = path.join(root, '__snapshots__');

module.exports = {
  resolveSnapshotPath: (testPath, extension) =>
    path.join(snapshotDir, path.basename(testPath) + extension),

  resolveTestPath: (snapshotPath, extension) => {
    const base = path.basename(snapshotPath, extension);
    const topLevel = path.join(root, base);
    return fs.existsSync(topLevel) ? topLevel : path.join(root, 'test', base);
  },

  testPathForConsistencyCheck: path.join(root, 'test', 'example.test.ts'),
};
