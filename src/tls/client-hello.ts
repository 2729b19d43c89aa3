// Reads a TLS ClientHello's server name off a raw socket before node:tls takes it, to pick the connection's own context.
import type { Socket } from 'node:net';
import type { SecureContext, Server as TlsServer } from 'node:tls';

/** One TLS record carries the ClientHello; its body is at most 2^14 bytes (RFC 8446 §5.1). */
const RECORD_HEADER = 5;
const MAX_RECORD = RECORD_HEADER + 16384;
/** A client that connects and sends no ClientHello is dropped after this (the TLS handshake timer has not started yet). */
const HELLO_TIMEOUT_MS = 30_000;
const HANDSHAKE = 0x16;
const CLIENT_HELLO = 0x01;
const EXT_SERVER_NAME = 0x0000;
const HOST_NAME = 0x00;

/**
 * The server name of a ClientHello record: '' when it has none, null when `buf` holds no complete ClientHello
 * record (or is not TLS).
 */
export function clientHelloServerName(buf: Buffer): string | null {
  if (buf.length < RECORD_HEADER + 4 || buf[0] !== HANDSHAKE || buf[RECORD_HEADER] !== CLIENT_HELLO) return null;
  const end = RECORD_HEADER + buf.readUInt16BE(3);
  if (end > buf.length) return null;
  let p = RECORD_HEADER + 4 + 2 + 32; // handshake header, client_version, random
  if (p >= end) return null;
  p += 1 + buf[p]!; // session id
  if (p + 2 > end) return null;
  p += 2 + buf.readUInt16BE(p); // cipher suites
  if (p >= end) return null;
  p += 1 + buf[p]!; // compression methods
  if (p + 2 > end) return '';
  const extsEnd = Math.min(end, p + 2 + buf.readUInt16BE(p));
  for (p += 2; p + 4 <= extsEnd; ) {
    const type = buf.readUInt16BE(p);
    const body = p + 4;
    p = body + buf.readUInt16BE(p + 2);
    if (p > extsEnd) return null;
    // server_name_list: length, then entries of type (host_name), length, name (RFC 6066 §3).
    if (type === EXT_SERVER_NAME && body + 5 <= p && buf[body + 2] === HOST_NAME) {
      const nameEnd = body + 5 + buf.readUInt16BE(body + 3);
      return nameEnd <= p ? buf.toString('latin1', body + 5, nameEnd) : null;
    }
  }
  return '';
}

const CHOSEN = Symbol('portcullis.chosenContext');
type PeekedSocket = Socket & { [CHOSEN]?: boolean };

/**
 * Reads the first TLS record of `socket`, puts the bytes back and calls `proceed` with its server name (null when not
 * understood): node:tls then feeds the TLSSocket what was read first. A socket that closes or stays silent is dropped.
 */
function peekClientHello(socket: Socket, proceed: (servername: string | null) => void): void {
  let buffered: Buffer | null = null;
  const onData = (chunk: Buffer): void => {
    buffered = buffered === null ? chunk : Buffer.concat([buffered, chunk]);
    const wanted =
      buffered.length >= RECORD_HEADER && buffered[0] === HANDSHAKE ? Math.min(MAX_RECORD, RECORD_HEADER + buffered.readUInt16BE(3)) : 0;
    if (buffered.length < wanted) return;
    socket.removeListener('data', onData);
    socket.removeListener('error', onGone);
    socket.removeListener('close', onGone);
    socket.removeListener('timeout', onSilent);
    socket.setTimeout(0);
    socket.pause();
    socket.unshift(buffered);
    proceed(clientHelloServerName(buffered));
  };
  const onGone = (): void => {
    socket.removeListener('data', onData);
    socket.destroy();
  };
  const onSilent = (): void => {
    socket.destroy();
  };
  socket.on('data', onData);
  socket.once('error', onGone);
  socket.once('close', onGone);
  socket.once('timeout', onSilent);
  socket.setTimeout(HELLO_TIMEOUT_MS);
}

/** The connection context for a server name, or null to let node:tls and the SNI callback proceed as usual. */
export type ContextChooser = (servername: string | null) => SecureContext | null;

/**
 * Makes `server` read each connection's ClientHello before node:tls takes the socket, while `wanted()` (read per
 * connection) says so, and start the TLS session from the context `choose` returns. That context's every key pair
 * stays available to OpenSSL (it picks RSA or ECDSA per client), which a context returned by an SNI callback cannot
 * do: node:tls copies only its first certificate over the server's own, whose other key type would then leak through.
 */
export function peekHellosOn(server: TlsServer, wanted: () => boolean, choose: ContextChooser): void {
  // node:tls's own 'connection' listener, registered by its constructor: it wraps the raw socket in a TLSSocket.
  const [tlsListener] = server.listeners('connection') as Array<(socket: Socket) => void>;
  if (tlsListener === undefined) return;
  server.removeListener('connection', tlsListener);
  // node:tls starts each session from `_sharedCreds` (the server's own context), read synchronously in the listener.
  const shared = server as TlsServer & { _sharedCreds: SecureContext };
  server.on('connection', (socket: Socket) => {
    if (!wanted()) {
      tlsListener.call(server, socket);
      return;
    }
    peekClientHello(socket, (servername) => {
      const chosen = choose(servername);
      if (chosen === null) {
        tlsListener.call(server, socket);
        return;
      }
      (socket as PeekedSocket)[CHOSEN] = true;
      const own = shared._sharedCreds;
      shared._sharedCreds = chosen;
      try {
        tlsListener.call(server, socket);
      } finally {
        shared._sharedCreds = own;
      }
    });
  });
}

/** True when this raw socket's session already started from its chosen context: the SNI callback must keep it. */
export function contextChosen(rawSocket: Socket | undefined): boolean {
  return (rawSocket as PeekedSocket | undefined)?.[CHOSEN] === true;
}
