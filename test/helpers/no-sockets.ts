// Setup of the fast unit tier: a test that tries to open a socket fails there, naming the call, instead of passing by luck.
import net from 'node:net';

function refuse(call: string): () => never {
  return () => {
    throw new Error(
      `${call}: the unit tier (npm run test:unit) opens no sockets; list this test in vitest.unit.config.ts or move it to test/integration`,
    );
  };
}

// http, https, tls and undici all reach the network through these two.
net.Server.prototype.listen = refuse('net.Server.listen');
net.Socket.prototype.connect = refuse('net.Socket.connect');
