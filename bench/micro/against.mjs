// A micro bench's builds and its `--against DIR` comparison: this checkout (and DIR's), measured in alternating rounds.
import path from 'node:path';

/** [name, directory] of each build to measure: `--against DIR` first when given, then this checkout. */
export function buildsToMeasure() {
  const builds = [['this checkout', path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')]];
  const against = process.argv.indexOf('--against');
  if (against !== -1) builds.unshift(['--against', path.resolve(process.argv[against + 1] ?? '.')]);
  return builds;
}

/**
 * Run `round(subject)` `rounds` times for each build's subject, the builds' order alternating so neither always runs
 * on the caches the other left, and print each build's median after the first (warm-up) round under `label`.
 */
export function compareRounds({ builds, subjects, round, rounds, label }) {
  const runs = builds.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? subjects.map((_, i) => i) : subjects.map((_, i) => i).reverse();
    for (const i of order) runs[i].push(round(subjects[i]));
  }
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.table(
    builds.map(([name, dir], i) => ({
      build: `${name} (${path.relative(process.cwd(), dir) || '.'})`,
      [`${label} (median of ${rounds - 1}, after a warm-up round)`]: Math.round(median(runs[i].slice(1))),
    })),
  );
}
