// Lists and runs the tinybench micro benches in bench/micro/*.bench.mjs, one process each.
import fs from 'node:fs';
import path from 'node:path';
import { startProcess } from './procs.mjs';

const MICRO_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../micro');

export function listMicro(filter) {
  let files = [];
  try {
    files = fs
      .readdirSync(MICRO_DIR)
      .filter((f) => f.endsWith('.bench.mjs'))
      .sort();
  } catch {
    /* none yet */
  }
  return filter ? files.filter((f) => f.includes(filter)) : files;
}

/** Run each selected micro bench (pinned to `cpus` when given); resolves to [{ file, code }]. */
export async function runMicro({ filter, cpus }) {
  const files = listMicro(filter);
  if (files.length === 0) {
    console.log(`no micro benches${filter ? ` matching "${filter}"` : ''} in bench/micro/`);
    return [];
  }
  console.log(`micro benches: ${files.join(', ')}${cpus ? ` (pinned to CPU ${cpus})` : ''}`);
  const results = [];
  for (const file of files) {
    console.log(`\n## ${file}\n`);
    const child = startProcess({
      name: file,
      argv: [process.execPath, path.join(MICRO_DIR, file)],
      cpus,
      cwd: path.resolve(MICRO_DIR, '../..'),
      env: { UWS_HTTP_MAX_HEADERS_SIZE: '16384' },
    });
    const code = await new Promise((resolve) => child.once('exit', (c, sig) => resolve(c ?? sig)));
    results.push({ file, code });
  }
  return results;
}
