// The `uWebSockets: 20` header uWS adds to every response: switched off per thread by the addon, kept with PORTCULLIS_UWS_MARK=keep.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeAddon } from '../../src/native/addon.js';
import { uwsBinaryAvailable } from '../../src/server/uws-loader.js';
import { tempDir, writeConfig } from '../helpers/gateway-harness.js';
import { rawExchange } from '../helpers/data-plane-harness.js';
import { startGatewayProcess, stopProcessAfterEach } from '../helpers/gateway-process.js';

const canSilence = uwsBinaryAvailable() && typeof nativeAddon?.silenceUwsMark === 'function';
const proc = stopProcessAfterEach();

/** A two-worker gateway with two plain uWS listeners, started with `env`; its proxy ports. */
async function start(env: Record<string, string>): Promise<number[]> {
  const path = writeConfig(join(tempDir(), 'kong.json'), {
    _format_version: '3.0',
    gateway: { proxy_listen: '127.0.0.1:0 engine=uws, 127.0.0.1:0 engine=uws', admin_listen: 'off', workers: 2 },
    services: [{ name: 'svc', url: 'http://127.0.0.1:9', routes: [{ name: 'only', paths: ['/only'] }] }],
  });
  proc.gw = startGatewayProcess(['--config', path], env);
  const started = await proc.gw.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('portcullis started'));
  return String(started.proxyListen)
    .split(', ')
    .map((address) => Number(address.split(':').at(-1)));
}

/** The head of the gateway's own 404 on a fresh connection, one line per header. */
async function headOf(port: number): Promise<string[]> {
  const raw = await rawExchange(port, 'GET /nowhere HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
  return raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');
}

describe.skipIf(!canSilence)("uWS's response mark", () => {
  it('is on no response of any worker or listener, and nothing is logged about it', async () => {
    const ports = await start({});
    for (const port of ports) {
      // Several connections: the kernel spreads them over both workers' loops.
      for (let i = 0; i < 8; i++) {
        const head = await headOf(port);
        expect(head[0]).toBe('HTTP/1.1 404 Not Found');
        expect(head.some((line) => line.startsWith('Date: '))).toBe(true);
        expect(head.filter((line) => /^uwebsockets:/i.test(line))).toEqual([]);
      }
    }
    expect(proc.gw!.logs.filter((l) => String(l.msg).includes('uWebSockets: 20'))).toEqual([]);
  });

  it('stays with PORTCULLIS_UWS_MARK=keep', async () => {
    const [port] = await start({ PORTCULLIS_UWS_MARK: 'keep' });
    expect(await headOf(port!)).toContain('uWebSockets: 20');
  });
});
