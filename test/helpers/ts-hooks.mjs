// Module hooks that let worker threads and child processes run src/*.ts directly: `.js` specifiers map to `.ts`, TS is transpiled.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, stat, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Transpiled output is cached on disk so later threads need not load the TypeScript compiler at all.
const CACHE_DIR = join(tmpdir(), 'portcullis-ts-hooks-cache-v1');
mkdirSync(CACHE_DIR, { recursive: true });
let ts = null;

export async function resolve(specifier, context, next) {
  if (specifier.endsWith('.js') && (specifier.startsWith('.') || specifier.startsWith('file:')) && context.parentURL?.startsWith('file:')) {
    const url = new URL(specifier, context.parentURL);
    if (!existsSync(url)) {
      const tsUrl = new URL(`${url.href.slice(0, -3)}.ts`);
      if (existsSync(tsUrl)) return { url: tsUrl.href, format: 'module', shortCircuit: true };
    }
  }
  return next(specifier, context);
}

async function transpile(filename) {
  const info = await stat(filename);
  const key = createHash('sha1').update(`${filename}\0${info.mtimeMs}\0${info.size}`).digest('hex');
  const cached = join(CACHE_DIR, `${key}.js`);
  try {
    return await readFile(cached, 'utf8');
  } catch {
    // not cached yet
  }
  ts ??= (await import('typescript')).default;
  const source = await readFile(filename, 'utf8');
  const out = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true, inlineSources: true },
  }).outputText;
  const tmp = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, out);
  await rename(tmp, cached);
  return out;
}

export async function load(url, context, next) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    return { format: 'module', source: await transpile(fileURLToPath(url)), shortCircuit: true };
  }
  return next(url, context);
}
