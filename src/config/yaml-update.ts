// Rewrites a YAML config with new data while keeping the comments and formatting of every node whose value did not change.
import { isMap, isScalar, isSeq, parseDocument, stringify, type Document } from 'yaml';
import { isObject } from './validate-context.js';

const NO_ALIAS = { aliasDuplicateObjects: false } as const;
const IDENTITY_KEYS = ['id', 'name', 'username', 'key', 'custom_id'];

function scalarKey(key: unknown): string | null {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : null;
}

/** The value of the first identity field, read from a YAML map node. */
function nodeIdentity(node: unknown): string | null {
  if (!isMap(node)) return null;
  for (const k of IDENTITY_KEYS) {
    const pair = node.items.find((p) => scalarKey(p.key) === k);
    if (pair && isScalar(pair.value) && typeof pair.value.value === 'string') return `${k}=${pair.value.value}`;
  }
  return null;
}

function valueIdentity(v: unknown): string | null {
  if (!isObject(v)) return null;
  for (const k of IDENTITY_KEYS) if (typeof v[k] === 'string') return `${k}=${v[k] as string}`;
  return null;
}

function merge(doc: Document, node: unknown, value: unknown): unknown {
  if (isObject(value) && isMap(node)) {
    node.items = node.items.filter((p) => {
      const k = scalarKey(p.key);
      return k !== null && Object.hasOwn(value, k);
    });
    for (const [k, v] of Object.entries(value)) {
      const pair = node.items.find((p) => scalarKey(p.key) === k);
      if (pair) pair.value = merge(doc, pair.value, v);
      else node.items.push(doc.createPair(k, v, NO_ALIAS));
    }
    return node;
  }
  if (Array.isArray(value) && isSeq(node)) {
    const old = node.items.slice();
    const used = new Set<unknown>();
    node.items = value.map((v, i) => {
      const id = valueIdentity(v);
      let match = id === null ? undefined : old.find((n) => !used.has(n) && nodeIdentity(n) === id);
      if (match === undefined && id === null && i < old.length && !used.has(old[i]) && nodeIdentity(old[i]) === null) match = old[i];
      if (match === undefined) return doc.createNode(v, NO_ALIAS);
      used.add(match);
      return merge(doc, match, v);
    });
    return node;
  }
  if (isScalar(node) && node.value === value) return node;
  return doc.createNode(value, NO_ALIAS);
}

/** New YAML text for `data`, based on `previous` (comments, quoting and order of unchanged parts kept). */
export function updateYamlText(previous: string | null, data: unknown): string {
  const fresh = () => stringify(data, { lineWidth: 0, aliasDuplicateObjects: false });
  if (previous === null) return fresh();
  const doc = parseDocument(previous, { merge: false });
  if (doc.errors.length > 0 || !isMap(doc.contents) || !isObject(data)) return fresh();
  doc.contents = merge(doc, doc.contents, data) as typeof doc.contents;
  return doc.toString({ lineWidth: 0 });
}
