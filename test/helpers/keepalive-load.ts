// Steady load from keep-alive clients (node:http, one socket each, no retries): counts answers, failures and resets.
import http from 'node:http';

export interface LoadResult {
  ok: number;
  /** Non-2xx answers, with their status. */
  failedStatus: Record<number, number>;
  /** Transport errors by code (ECONNRESET = a reset). */
  errors: Record<string, number>;
  /** Sockets the server asked to close (`Connection: close`). */
  closeAnswers: number;
}

export interface Load {
  readonly result: LoadResult;
  stop(): Promise<LoadResult>;
}

export function startKeepAliveLoad(port: number, path: string, clients: number): Load {
  const result: LoadResult = { ok: 0, failedStatus: {}, errors: {}, closeAnswers: 0 };
  let running = true;
  const one = (agent: http.Agent): Promise<void> =>
    new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
        if (res.headers.connection === 'close') result.closeAnswers++;
        res.resume();
        res.on('end', () => {
          if (res.statusCode! >= 200 && res.statusCode! < 300) result.ok++;
          else result.failedStatus[res.statusCode!] = (result.failedStatus[res.statusCode!] ?? 0) + 1;
          resolve();
        });
        res.on('error', (err: NodeJS.ErrnoException) => {
          count(err);
          resolve();
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        count(err);
        resolve();
      });
    });
  const count = (err: NodeJS.ErrnoException): void => {
    const code = err.code ?? err.message;
    result.errors[code] = (result.errors[code] ?? 0) + 1;
  };
  const loops = Array.from({ length: clients }, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    while (running) await one(agent);
    agent.destroy();
  });
  return {
    result,
    async stop() {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}
