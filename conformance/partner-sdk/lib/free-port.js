'use strict';
// Prints a currently free TCP port on 127.0.0.1.
const net = require('node:net');
const s = net.createServer();
s.listen(0, '127.0.0.1', () => {
  const { port } = s.address();
  s.close(() => process.stdout.write(`${port}\n`));
});
