// Flattens `certificates` (with nested `snis`) and top-level `snis`: ids, certificate references, unique SNI names.
import type { CertificateEntity, SniEntity, ValidatedConfig } from './types.js';
import { isUuid, uuidV5 } from './ids.js';
import { childPath, type Obj, type Sink } from './validate-context.js';
import { readRef } from './validate-entities.js';
import { validateCertificate, validateSni } from './validate-tls.js';
import { list, uniqueIds, type Item } from './flatten.js';

/** The TLS entities of a document; both lists absent when the document has neither (a plain file keeps its shape). */
export function flattenTls(sink: Sink, doc: Obj): Pick<ValidatedConfig, 'certificates' | 'snis'> {
  const certificates: Array<Item<CertificateEntity>> = [];
  const snis: Array<
    Item<SniEntity> & { namePath: string; ref: { value: string; path: string } | null; parent: Item<CertificateEntity> | null }
  > = [];
  const addSnis = (owner: Obj, ownerPath: string, parent: Item<CertificateEntity> | null) => {
    for (const { raw, path } of list(sink, owner, 'snis', ownerPath)) {
      const v = validateSni(sink, raw, path);
      const ref = typeof raw === 'object' && raw !== null ? readRef(sink, raw as Obj, path, 'certificate', parent !== null) : null;
      if (v === null) continue;
      if (parent === null && ref === null) sink.error(childPath(path, 'certificate'), 'required field missing');
      snis.push({
        e: { id: v.id ?? '', name: v.name, certificate: '', tags: v.tags },
        path,
        namePath: v.namePath,
        idGiven: v.id !== null,
        ref,
        parent,
      });
    }
  };
  for (const { raw, path } of list(sink, doc, 'certificates', '$')) {
    const e = validateCertificate(sink, raw, path);
    if (e === null) continue;
    const item = { e, path, idGiven: e.id !== '' };
    certificates.push(item);
    addSnis(raw as Obj, path, item);
  }
  addSnis(doc, '$', null);
  if (certificates.length === 0 && snis.length === 0) return {};

  // Certificates have no endpoint key: an id not given derives from the JSON path, SNI ids from the name.
  for (const c of certificates) if (!c.idGiven) c.e.id = uuidV5(`certificates:@${c.path}`);
  for (const s of snis) if (!s.idGiven) s.e.id = uuidV5(`snis:${s.e.name}`);
  uniqueIds(sink, 'certificates', certificates);
  const seen = new Set<string>();
  for (const s of snis) {
    if (seen.has(s.e.name)) sink.error(s.namePath, `uniqueness violation: 'snis' entity with name set to '${s.e.name}' already declared`);
    seen.add(s.e.name);
  }
  uniqueIds(sink, 'snis', snis);

  const byId = new Map(certificates.map((c) => [c.e.id, c] as const));
  for (const s of snis) {
    if (s.parent) s.e.certificate = s.parent.e.id;
    else if (s.ref) {
      const hit = isUuid(s.ref.value) ? byId.get(s.ref.value.toLowerCase()) : undefined;
      if (hit === undefined) sink.error(s.ref.path, `invalid reference 'certificate: ${s.ref.value}' (no such entry in 'certificates')`);
      else s.e.certificate = hit.e.id;
    }
  }
  return { certificates: certificates.map((c) => c.e), snis: snis.map((s) => s.e) };
}
