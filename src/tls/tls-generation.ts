// One config generation's TLS material: a SecureContext per certificate and the default, SNI selection, node server options.
import { createSecureContext, type SecureContext, type SecureContextOptions, type TlsOptions } from 'node:tls';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { contextChosen, type ContextChooser } from './client-hello.js';
import type { ValidatedConfig } from '../config/types.js';
import { createSniSelector, type SniSelector } from './sni-selector.js';

/** TLS 1.2 and 1.3 only, as Kong's default `ssl_protocols`. */
export const TLS_MIN_VERSION = 'TLSv1.2';
export const TLS_MAX_VERSION = 'TLSv1.3';

/** One servable certificate: one or two PEM pairs (RSA and ECDSA), and the context node serves them with. */
export interface TlsCertificate {
  /** Certificate entity id, or `default` for gateway.ssl_cert. */
  readonly id: string;
  readonly pairs: ReadonlyArray<{ readonly cert: string; readonly key: string }>;
  readonly context: SecureContext;
}

export interface TlsGeneration {
  /** gateway.ssl_cert/ssl_cert_key, or null when not set. */
  readonly defaultCertificate: TlsCertificate | null;
  readonly certificates: readonly TlsCertificate[];
  /** Every configured SNI name (lower-case, wildcards as written) with its certificate. */
  readonly byName: ReadonlyMap<string, TlsCertificate>;
  readonly selector: SniSelector<TlsCertificate>;
  /** True when anything TLS is configured (a default or any certificate). */
  readonly configured: boolean;
  /** Some certificate has two pairs (RSA and ECDSA): node connections have their ClientHello read first (client-hello.ts). */
  readonly needsHello: boolean;
}

/** Session ticket keys (48 bytes): made once per process and given to every worker, so a ticket resumes on any of them. */
export function createTicketKeys(): Buffer {
  return randomBytes(48);
}

function contextOf(pairs: ReadonlyArray<{ cert: string; key: string }>, ticketKeys: Buffer | null = null): SecureContext {
  // Node serves several key types from one context when cert and key are given as lists (OpenSSL picks per client).
  return createSecureContext({
    cert: pairs.map((p) => p.cert),
    key: pairs.map((p) => p.key),
    minVersion: TLS_MIN_VERSION,
    maxVersion: TLS_MAX_VERSION,
    ...(ticketKeys !== null ? { ticketKeys } : {}),
  });
}

function certificate(id: string, pairs: Array<{ cert: string; key: string }>): TlsCertificate {
  return Object.freeze({ id, pairs: Object.freeze(pairs.map((p) => Object.freeze({ ...p }))), context: contextOf(pairs) });
}

/** Builds the generation's contexts once; validation has already checked every PEM and key. */
export function createTlsGeneration(config: ValidatedConfig): TlsGeneration {
  const g = config.gateway;
  const defaultCertificate =
    g.ssl_cert && g.ssl_cert_key && g.ssl_cert.length > 0
      ? certificate(
          'default',
          g.ssl_cert.map((cert, i) => ({ cert, key: g.ssl_cert_key![i]! })),
        )
      : null;
  const byId = new Map<string, TlsCertificate>();
  for (const c of config.certificates ?? []) {
    const pairs = [{ cert: c.cert, key: c.key }];
    if (c.cert_alt !== null && c.key_alt !== null) pairs.push({ cert: c.cert_alt, key: c.key_alt });
    byId.set(c.id, certificate(c.id, pairs));
  }
  const byName = new Map<string, TlsCertificate>();
  for (const s of config.snis ?? []) {
    const c = byId.get(s.certificate);
    if (c !== undefined) byName.set(s.name, c);
  }
  return Object.freeze({
    defaultCertificate,
    certificates: Object.freeze([...byId.values()]),
    byName,
    selector: createSniSelector(byName, defaultCertificate),
    configured: defaultCertificate !== null || byId.size > 0,
    needsHello: (defaultCertificate?.pairs.length ?? 0) > 1 || [...byId.values()].some((c) => c.pairs.length > 1),
  });
}

/** The server's own context (clients without SNI, or none matched): `server.setSecureContext()` takes it on a reload. */
export function nodeDefaultCertificate(gen: TlsGeneration, ticketKeys: Buffer | null): SecureContextOptions {
  const first = gen.defaultCertificate;
  return {
    ...(first !== null ? { cert: first.pairs.map((p) => p.cert), key: first.pairs.map((p) => p.key) } : {}),
    minVersion: TLS_MIN_VERSION,
    maxVersion: TLS_MAX_VERSION,
    // The ticket keys go with the context: setSecureContext() would otherwise make new ones.
    ...(ticketKeys !== null ? { ticketKeys } : {}),
  };
}

/**
 * Options for `https.createServer` / `http2.createSecureServer`: the default certificate, SNI selection that reads
 * `current()` at every handshake (so a reload needs no re-listen), TLS 1.2-1.3, shared ticket keys.
 */
export function nodeTlsOptions(current: () => TlsGeneration, ticketKeys: Buffer | null): TlsOptions & { peekHello: NodeHelloPeek } {
  return {
    ...nodeDefaultCertificate(current(), ticketKeys),
    SNICallback(this: { _parent?: Socket }, servername, cb) {
      // `this` is the TLSSocket; node:tls keeps the raw socket as its `_parent`. A session started from its
      // certificate's own context (two key types, chosen from the peeked ClientHello) keeps it.
      if (contextChosen(this._parent)) {
        cb(null, undefined);
        return;
      }
      const hit = current().selector.select(servername);
      // No match and no default: undefined keeps the server's own context, which then has no certificate to offer.
      cb(null, hit?.context);
    },
    peekHello: { wanted: () => current().needsHello, choose: twoKeyTypeContexts(current, ticketKeys) },
  };
}

/** For the node engine: when to read ClientHellos, and the connection context for a server name. */
export interface NodeHelloPeek {
  wanted(): boolean;
  choose: ContextChooser;
}

/**
 * A certificate with two key types gets a context of its own for the whole session (an SNI callback's context would
 * lose one key type), made once per certificate with the shared ticket keys so tickets resume on any worker.
 */
function twoKeyTypeContexts(current: () => TlsGeneration, ticketKeys: Buffer | null): ContextChooser {
  const made = new WeakMap<TlsCertificate, SecureContext>();
  return (servername) => {
    const hit = current().selector.select(servername);
    if (hit === null || hit.pairs.length < 2) return null;
    let context = made.get(hit);
    if (context === undefined) {
      context = contextOf(hit.pairs, ticketKeys);
      made.set(hit, context);
    }
    return context;
  };
}
