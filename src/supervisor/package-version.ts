// Reads the package version (for `--version` and the `Via` header) from package.json at the package root.
import { readFileSync } from 'node:fs';

let cached: string | null = null;

export function packageVersion(): string {
  // src/supervisor/ and dist/supervisor/ both sit two levels below the package root.
  cached ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
