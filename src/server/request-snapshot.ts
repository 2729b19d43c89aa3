// The request snapshot both engines fill, and the copy out of uWS's stack-allocated HttpRequest, synchronously.
import type { HttpRequest, HttpResponse } from './uws-loader.js';
import type { UwsPeerAddresses } from '../native/uws-peers.js';

/** The named states of RequestSnapshot.contentLength below zero (at or above zero it is the declared length). */
export const enum ContentLength {
  /** No Content-Length header. */
  Absent = -1,
  /** A Content-Length that is not a plain decimal number: admission answers 400 and closes. */
  Unparseable = -2,
}

/** A request as seen after the engine's handler returned; satisfies AuthRequest and RouteQuery. */
export class RequestSnapshot {
  /** Method as sent (HTTP methods are case-sensitive), e.g. `GET`. */
  method = '';
  /** Raw path as sent, without the query string. */
  url = '';
  /** Raw query without `?`, '' when none. */
  query = '';
  /** Flat [name, value, ...], names lower-case, in arrival order (fill with recordHeader). */
  readonly headers: string[] = [];
  /** First Host header value, '' when absent. */
  host = '';
  hostCount = 0;
  authorizationCount = 0;
  /** The declared body length, or ContentLength.Absent / ContentLength.Unparseable. */
  contentLength: number = ContentLength.Absent;
  chunked = false;
  /** Ambiguous framing or identity: repeated Content-Length/Transfer-Encoding/Host, a coding other than `chunked`. */
  malformed = false;
  /** Bytes of header names and values (plus `: ` and CRLF), for the max_header_bytes check. */
  headerBytes = 0;
  /** An `Upgrade: websocket` offer (not proxied). */
  websocket = false;
  /** The peer address text once known; null until a uWS response's address is first asked for. */
  private peer: string | null = '';
  /** The uWS response to read the peer address from, on first use only: refusals never pay the getpeername. */
  private peerSource: HttpResponse | null = null;
  /** The reader that took this snapshot: its peer-address cache compacts the address. */
  private peerReader: SnapshotReader | null = null;
  /** Normalized path, filled by the pipeline (RouteQuery.path). */
  path = '';
  /** A gRPC request (Kong's test: HTTP/2 and an application/grpc Content-Type); set by the HTTP/2 engine only. */
  grpc = false;
  /** Came over TLS, and the server name its handshake selected (lower-case; null when none or unknown). */
  tls = false;
  sni: string | null = null;
  constructor(readonly listenPort: number) {}

  /** The client's address as nginx prints it (X-Forwarded-For, X-Real-IP); on uWS read on first use. */
  get remoteAddress(): string {
    if (this.peer === null) {
      this.peer = this.peerReader!.peerAddress(this.peerSource!);
      this.peerSource = null;
    }
    return this.peer;
  }

  set remoteAddress(address: string) {
    this.peer = address;
    this.peerSource = null;
  }

  /**
   * uWS: the address is read from `res` when first asked for. Only while the response is open (the pipeline reads it
   * before proxying, never after the response finished or aborted).
   */
  readPeerFrom(res: HttpResponse, reader: SnapshotReader): void {
    this.peer = null;
    this.peerSource = res;
    this.peerReader = reader;
  }

  header(lowerCaseName: string): string | undefined {
    const h = this.headers;
    for (let i = 0; i < h.length; i += 2) if (h[i] === lowerCaseName) return h[i + 1];
    return undefined;
  }
}

/**
 * Adds one header (lower-case name) and notes what admission checks need (Host, framing, Authorization count); the
 * same rules for both engines and the fuzzers.
 */
export function recordHeader(t: RequestSnapshot, name: string, value: string): void {
  t.headers.push(name, value);
  t.headerBytes += name.length + value.length + 4;
  switch (name) {
    case 'host':
      // nginx answers 400 to a second Host; routing and X-Forwarded-Host must not disagree about which one counts.
      if (t.hostCount++ === 0) t.host = value;
      else t.malformed = true;
      break;
    case 'authorization':
      t.authorizationCount++;
      break;
    case 'content-length':
      // Equal duplicates too: a proxy behind us might frame by the other one (request smuggling).
      if (t.contentLength !== ContentLength.Absent) t.malformed = true;
      t.contentLength = parseContentLength(value);
      if (t.chunked) t.malformed = true;
      break;
    case 'transfer-encoding':
      // Only a single plain `chunked` frames unambiguously; uWS treats any value as chunked.
      if (t.chunked || t.contentLength !== ContentLength.Absent || value.length !== 7 || value.toLowerCase() !== 'chunked')
        t.malformed = true;
      t.chunked = true;
      break;
    case 'upgrade':
      if (value.toLowerCase().includes('websocket')) t.websocket = true;
      break;
  }
}

const DIGITS = /^[0-9]+$/;

function parseContentLength(value: string): number {
  return value.length > 0 && value.length < 16 && DIGITS.test(value) ? Number(value) : ContentLength.Unparseable;
}

const decoder = new TextDecoder();

/**
 * Takes snapshots out of one uWS listener's requests. Its scratch (the snapshot being filled, the last peer address)
 * belongs to the instance: each engine creates its own, so nothing is shared between listeners or threads.
 */
export class SnapshotReader {
  /** The snapshot req.forEach is filling: one collector per reader instead of a closure per request. */
  private target: RequestSnapshot | null = null;
  private readonly collect = (name: string, value: string): void => recordHeader(this.target!, name, value);
  // IPv6 peers would otherwise pay a URL parse per request; keep-alive clients repeat the same address.
  private lastExpanded = '';
  private lastCompact = '';

  /** `connections`: the addresses the addon recorded per connection (plain-HTTP listeners), or null to ask uWS each time. */
  constructor(private readonly connections: UwsPeerAddresses | null = null) {}

  /** Copies uWS's stack-allocated request synchronously, inside the handler. */
  snapshot(req: HttpRequest, res: HttpResponse, listenPort: number): RequestSnapshot {
    const s = new RequestSnapshot(listenPort);
    s.method = req.getCaseSensitiveMethod();
    s.url = req.getUrl();
    s.query = req.getQuery() ?? '';
    this.target = s;
    req.forEach(this.collect);
    this.target = null;
    s.readPeerFrom(res, this);
    return s;
  }

  /** The peer address of an open uWS response, as nginx prints it. */
  peerAddress(res: HttpResponse): string {
    const address = this.connections?.addressOf(res) ?? decoder.decode(res.getRemoteAddressAsText());
    if (address.length !== 39) return address;
    if (address !== this.lastExpanded) {
      this.lastCompact = compactIpv6(address);
      this.lastExpanded = address;
    }
    return this.lastCompact;
  }
}

const MAPPED_V4 = '0000:0000:0000:0000:0000:ffff:';

/** uWS prints IPv6 fully expanded; nginx (and so Kong's X-Real-IP) prints `::1`, and IPv4-mapped peers as dotted quads. */
export function compactIpv6(expanded: string): string {
  if (expanded.startsWith(MAPPED_V4)) {
    const hi = parseInt(expanded.slice(30, 34), 16);
    const lo = parseInt(expanded.slice(35, 39), 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  try {
    const host = new URL(`http://[${expanded}]/`).hostname;
    return host.slice(1, -1);
  } catch {
    return expanded;
  }
}
