// Fills a RequestSnapshot from a node:http request, as the uWS engine would; the target and peer rules HTTP/2 shares.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { RequestSnapshot, recordHeader } from './request-snapshot.js';

const NON_ASCII = /[^\x00-\x7f]/;
const MAPPED_V4 = '::ffff:';

/**
 * Node decodes the request target as latin1; the pipeline (like uWS) works on its UTF-8 reading, and
 * forwarded-headers re-expresses non-ASCII text as its UTF-8 bytes upstream.
 */
function utf8Target(target: string): string {
  return NON_ASCII.test(target) ? Buffer.from(target, 'latin1').toString('utf8') : target;
}

/** `http://host:port/p?q` → its authority and `/p?q` (RFC 9112 §3.2.2: the target's authority replaces Host). */
function splitAbsoluteForm(target: string): { authority: string; rest: string } | null {
  const scheme = target.indexOf('://');
  if (scheme <= 0 || scheme > 5) return null;
  const start = scheme + 3;
  let end = start;
  while (end < target.length && target[end] !== '/' && target[end] !== '?') end++;
  const rest = target.slice(end);
  return { authority: target.slice(start, end), rest: rest === '' || rest[0] === '?' ? `/${rest}` : rest };
}

export function snapshotNodeRequest(req: IncomingMessage, listenPort: number): RequestSnapshot {
  const s = new RequestSnapshot(listenPort);
  s.method = req.method ?? '';
  const raw = req.rawHeaders;
  // Header values stay as latin1 text: one char per byte sent, so undici (which writes latin1) relays them unchanged.
  for (let i = 0; i < raw.length; i += 2) recordHeader(s, raw[i]!.toLowerCase(), raw[i + 1]!);
  setTarget(s, req.url ?? '/');
  s.remoteAddress = socketPeer(req.socket as PeerSocket);
  return s;
}

/** The request target into url and query (an absolute-form target's authority replaces Host), as the pipeline reads them. */
export function setTarget(s: RequestSnapshot, requestTarget: string): void {
  let target = requestTarget;
  if (target.charCodeAt(0) !== 47 /* '/' */) {
    const absolute = splitAbsoluteForm(target);
    if (absolute !== null) {
      target = absolute.rest;
      if (absolute.authority !== '') s.host = absolute.authority;
    }
  }
  const q = target.indexOf('?');
  s.url = utf8Target(q === -1 ? target : target.slice(0, q));
  s.query = q === -1 ? '' : utf8Target(target.slice(q + 1));
}

const PEER = Symbol('portcullis.peer');
type PeerSocket = Socket & { [PEER]?: string };

/** HTTP/1: a keep-alive connection's requests share one peer, formatted once and kept on the socket. */
function socketPeer(socket: PeerSocket): string {
  let peer = socket[PEER];
  if (peer === undefined) socket[PEER] = peer = peerText(socket.remoteAddress);
  return peer;
}

/** A socket's peer address as nginx prints it (IPv4-mapped IPv6 as a dotted quad). */
export function peerText(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith(MAPPED_V4) && address.includes('.') ? address.slice(MAPPED_V4.length) : address;
}
