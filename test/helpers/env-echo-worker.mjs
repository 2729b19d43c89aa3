// A stand-in worker for the pool: reports the UWS_HTTP_MAX_HEADERS_SIZE it started with (as its engine name), then waits for stop.
import { parentPort } from 'node:worker_threads';

const info = { httpEngine: `env:${process.env.UWS_HTTP_MAX_HEADERS_SIZE}`, httpEngines: [], uwsNative: null, hmacEngine: 'node:crypto' };
parentPort.postMessage({ type: 'ready', ports: [1], authorizerPort: null, info, generation: 1 });
parentPort.on('message', (message) => {
  if (message.type !== 'stop') return;
  parentPort.postMessage({ type: 'stopped' });
  parentPort.close();
});
