// Fills a RequestSnapshot from a node:http or node:http2 (compatibility API) request, as the uWS engine would.
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { Socket } from 'node:net';
import { RequestSnapshot, recordHeader } from './request-snapshot.js';

export type NodeRequest = IncomingMessage | Http2ServerRequest;

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

export function snapshotNodeRequest(req: NodeRequest, listenPort: number, http2: boolean): RequestSnapshot {
  const s = new RequestSnapshot(listenPort);
  s.method = req.method ?? '';
  let target = req.url ?? '/';
  const raw = req.rawHeaders;
  let authority: string | null = null;
  // Header values stay as latin1 text: one char per byte sent, so undici (which writes latin1) relays them unchanged.
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (http2 && name.charCodeAt(0) === 58 /* ':' */) {
      // HTTP/2 pseudo-headers: :authority is the Host (RFC 9113 §8.3.1); the rest are the method and target.
      if (name === ':authority') authority = raw[i + 1]!;
      continue;
    }
    recordHeader(s, name, raw[i + 1]!);
  }
  if (authority !== null && s.hostCount === 0) recordHeader(s, 'host', authority);
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
  // HTTP/2 has no chunked coding: a stream that did not end with its headers carries a body of unknown length.
  if (http2 && s.contentLength === -1 && !(req as Http2ServerRequest).stream.endAfterHeaders) s.chunked = true;
  s.remoteAddress = http2 ? peerText(req.socket?.remoteAddress) : socketPeer(req.socket as PeerSocket);
  return s;
}

const PEER = Symbol('portcullis.peer');
type PeerSocket = Socket & { [PEER]?: string };

/** HTTP/1: a keep-alive connection's requests share one peer, formatted once and kept on the socket. */
function socketPeer(socket: PeerSocket): string {
  let peer = socket[PEER];
  if (peer === undefined) socket[PEER] = peer = peerText(socket.remoteAddress);
  return peer;
}

function peerText(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith(MAPPED_V4) && address.includes('.') ? address.slice(MAPPED_V4.length) : address;
}
