import { describe, expect, it } from 'vitest';
import { createLogger, createWorkerLogger, relayWorkerLog } from '../../../src/observability/logger.js';

function capture(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level,
    destination: {
      write: (l: string) => {
        lines.push(JSON.parse(l));
      },
    },
  });
  return { logger, lines };
}

describe('worker log relay', () => {
  it('re-emits a worker line through the main logger at its level with the worker id', () => {
    const { logger, lines } = capture();
    const posted: string[] = [];
    const worker = createWorkerLogger('info', 3, (l) => posted.push(l));
    worker.error({ port: 8000 }, 'listen failed');
    relayWorkerLog(logger, posted[0]!);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, worker: 3, port: 8000, msg: 'listen failed', name: 'portcullis' });
  });

  it('drops lines below the worker logger level before they are posted', () => {
    const posted: string[] = [];
    const worker = createWorkerLogger('warn', 0, (l) => posted.push(l));
    worker.info('chatty');
    worker.warn('kept');
    expect(posted).toHaveLength(1);
  });

  it('logs a warning instead of throwing on a line that is not JSON', () => {
    const { logger, lines } = capture();
    relayWorkerLog(logger, 'not json');
    expect(lines[0]).toMatchObject({ level: 40, line: 'not json' });
  });
});
