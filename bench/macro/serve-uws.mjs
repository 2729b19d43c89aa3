// A bench server's life on uWS: listen on loopback, print {"port":N}, and exit when stdin closes or a signal comes (runner gone).
import uWS from 'uWebSockets.js';

/**
 * Listen `app` on 127.0.0.1:`port` (0: any free port) and print the port as the runner expects. On SIGTERM, SIGINT
 * or the end of stdin, close the listener, wait for `onStop` and exit. `name` prefixes a failed listen's message.
 * @param {import('uWebSockets.js').TemplatedApp} app
 * @param {{ name: string, port?: number, onStop?: () => Promise<unknown> }} options
 */
export function serveUntilStopped(app, { name, port = 0, onStop = async () => {} }) {
  /** @type {import('uWebSockets.js').us_listen_socket | null} */
  let listenSocket = null;
  app.listen('127.0.0.1', port, (token) => {
    if (!token) {
      process.stderr.write(`${name}: listen failed\n`);
      process.exit(1);
    }
    listenSocket = token;
    process.stdout.write(`${JSON.stringify({ port: uWS.us_socket_local_port(token) })}\n`);
  });
  const stop = () => {
    if (listenSocket) uWS.us_listen_socket_close(listenSocket);
    listenSocket = null;
    onStop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
