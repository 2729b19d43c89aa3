// Child-process entry for tests and benches: runs one data plane from a config document given in argv[2] (JSON), reports its port and RSS over IPC.
import { compileDocument, testRuntime } from './data-plane-harness.js';
import { createDataPlane } from '../../src/pipeline/data-plane.js';

const doc = JSON.parse(process.argv[2] ?? '{}') as unknown;
const config = compileDocument(doc);
const runtime = testRuntime(config);
const plane = await createDataPlane(config, { runtime });
const port = await plane.listen();
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 50);

process.on('message', (message: { type: string }) => {
  if (message.type === 'rss') {
    const rss = process.memoryUsage.rss();
    peakRss = Math.max(peakRss, rss);
    process.send!({ type: 'rss', rss, peakRss });
    peakRss = rss;
  } else if (message.type === 'counters') {
    process.send!({ type: 'counters', counters: plane.counters() });
  } else if (message.type === 'stop') {
    clearInterval(sampler);
    void plane
      .close(2000)
      .then(() => runtime.close(2000))
      .then(() => process.disconnect());
  }
});
process.send!({ type: 'ready', port, pid: process.pid, info: plane.info });
