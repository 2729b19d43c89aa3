import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI_DIST = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [CLI_DIST, ...args], { encoding: 'utf8' });

describe('portcullis --watch', () => {
  it('is listed in the usage of the start command', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--watch            reload when the config file changes');
  });
  it('is a usage error (exit 2) on another command', () => {
    const r = run(['check', '--config', 'x.json', '--watch']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('portcullis: --watch belongs to the start command');
  });
});
