// UwsPeerAddresses: recording starts when the listener binds; when it cannot, it says why once and leaves the addon alone.
import { describe, expect, it } from 'vitest';
import { peerAddressCacheDisabled } from '../../../src/config/environment.js';
import { UwsPeerAddresses, type UwsPeerHook } from '../../../src/native/uws-peers.js';
import type { HttpResponse, us_listen_socket } from '../../../src/server/uws-loader.js';

function fakeHook(watchAnswer: string): UwsPeerHook & { watched: Array<[string, number, boolean]>; asked: number } {
  return {
    watched: [],
    asked: 0,
    watchUwsListener(_socket, binaryPath, port, tls) {
      this.watched.push([binaryPath, port, tls]);
      return watchAnswer;
    },
    uwsPeerAddress() {
      this.asked++;
      return '127.0.0.9';
    },
  };
}
const res = {} as HttpResponse;
const listenSocket = {} as us_listen_socket;

describe('UwsPeerAddresses', () => {
  it('answers nothing before the listener binds, then asks the addon for each response', () => {
    const hook = fakeHook('');
    const peers = new UwsPeerAddresses(hook, 'uws.node', false, () => expect.fail('no warning expected'));
    expect(peers.addressOf(res)).toBeUndefined();
    expect(hook.asked).toBe(0);
    peers.watch(listenSocket, 8000);
    expect(hook.watched).toEqual([['uws.node', 8000, false]]);
    expect(peers.addressOf(res)).toBe('127.0.0.9');
    expect(peers.addressOf(res)).toBe('127.0.0.9');
    expect(hook.asked).toBe(2);
  });

  it('says why when recording cannot start, and never asks the addon for an address', () => {
    const hook = fakeHook('the uWS binary is not loaded in this process');
    const reasons: string[] = [];
    const peers = new UwsPeerAddresses(hook, 'uws.node', true, (why) => reasons.push(why));
    peers.watch(listenSocket, 8000);
    for (let i = 0; i < 3; i++) expect(peers.addressOf(res)).toBeUndefined();
    expect(reasons).toEqual(['the uWS binary is not loaded in this process']);
    expect(hook.asked).toBe(0);
  });

  it("tells the addon a TLS listener's listen sockets are TLS, each time new certificates bring a new one", () => {
    const hook = fakeHook('');
    const peers = new UwsPeerAddresses(hook, 'uws.node', true, () => expect.fail('no warning expected'));
    peers.watch(listenSocket, 8443);
    peers.watch(listenSocket, 8443);
    expect(hook.watched).toEqual([
      ['uws.node', 8443, true],
      ['uws.node', 8443, true],
    ]);
    expect(peers.addressOf(res)).toBe('127.0.0.9');
  });
});

describe('PORTCULLIS_PEER_ADDRESS_CACHE', () => {
  it('turns the recording off only when set to off', () => {
    expect(peerAddressCacheDisabled({ PORTCULLIS_PEER_ADDRESS_CACHE: 'off' })).toBe(true);
    expect(peerAddressCacheDisabled({})).toBe(false);
    expect(peerAddressCacheDisabled({ PORTCULLIS_PEER_ADDRESS_CACHE: 'on' })).toBe(false);
  });
});
