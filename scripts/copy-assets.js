// Copies what lib/ reads at load time besides its TypeScript (the Perl
// programs of the stream shipper and of Fluent Bit's state keeper and rotator) next to the compiled JavaScript in build/lib/.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
for (const asset of ['lib/shippers/stream.pl', 'lib/shippers/fluent-bit/state-keeper.pl', 'lib/shippers/fluent-bit/rotator.pl']) {
  const target = path.join(root, 'build', asset);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(path.join(root, asset), target);
}
