// CPU time taken by processes the bench did not start while a run is measured: the machine's own noise, printed beside the latencies it can inflate.
import fs from 'node:fs';

/** The parent pid in the text of /proc/<pid>/stat (field 4, counted from the last ')': the name may hold spaces). */
function parentOf(statText) {
  return Number(statText.slice(statText.lastIndexOf(')') + 2).split(' ')[1]);
}

function readOrNull(path) {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return null; // the task ended while we looked
  }
}

/** `root` and every process below it (the bench, its systems, their children), from the parent links in /proc. */
function processTree(root, pids) {
  const children = new Map();
  for (const pid of pids) {
    const stat = readOrNull(`/proc/${pid}/stat`);
    if (stat === null) continue;
    const parent = parentOf(stat);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(pid);
  }
  const tree = new Set([root]);
  for (const pid of tree) for (const child of children.get(pid) ?? []) tree.add(child);
  return tree;
}

/**
 * Run time so far (ns) and time slices run (the first and third fields of /proc/<pid>/task/<tid>/schedstat) of every
 * thread outside `root`'s process tree, kernel threads included: Map of tid → { name, ns, slices }. Empty where /proc
 * or schedstat is missing (not Linux).
 */
export function foreignTasks(root = process.pid) {
  const tasks = new Map();
  let entries;
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return tasks;
  }
  const ours = processTree(root, entries.map(Number));
  for (const pid of entries) {
    if (ours.has(Number(pid))) continue;
    let tids;
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const sched = readOrNull(`/proc/${pid}/task/${tid}/schedstat`);
      const name = readOrNull(`/proc/${pid}/task/${tid}/comm`);
      if (sched === null || name === null) continue;
      const [ns, , slices] = sched.split(' ').map(Number);
      tasks.set(tid, { name: name.trim(), ns, slices });
    }
  }
  return tasks;
}

/**
 * Nanoseconds and time slices each thread name (threads of one name summed) ran between two `foreignTasks` snapshots:
 * Map of name → { ns, slices }. A thread that started in between counts from zero.
 */
export function foreignByName(before, after) {
  const byName = new Map();
  for (const [tid, task] of after) {
    const was = before.get(tid);
    const ns = task.ns - (was?.ns ?? 0);
    if (!(ns > 0)) continue;
    const sum = byName.get(task.name) ?? { ns: 0, slices: 0 };
    sum.ns += ns;
    sum.slices += task.slices - (was?.slices ?? 0);
    byName.set(task.name, sum);
  }
  return byName;
}

/**
 * What the foreign threads ran between two `foreignTasks` snapshots `seconds` apart: milliseconds of CPU per second
 * of the run, and the busiest thread name with its milliseconds and time slices. A few long slices hold a CPU for
 * milliseconds at a time, where a latency's tail is made; many short ones barely show.
 */
export function foreignCpu(before, after, seconds) {
  let totalNs = 0;
  let busiest = null;
  for (const [name, sum] of foreignByName(before, after)) {
    totalNs += sum.ns;
    if (busiest === null || sum.ns > busiest.ns) busiest = { name, ...sum };
  }
  return {
    msPerS: seconds > 0 ? totalNs / 1e6 / seconds : 0,
    busiest: busiest === null ? null : { name: busiest.name, ms: busiest.ns / 1e6, slices: Math.max(1, busiest.slices) },
  };
}
