import { canonicalJson } from '@peil/ledger';
import type { Doc } from './read-store.port';

/**
 * Reserved collection where the Projector keeps each projection's code version (document id = the
 * projection's name), written in the same commit as its first checkpoint. Every ReadStore's reset()
 * deletes the named projections' entries here, so "no stamp" always means "rebuild".
 */
export const PROJECTIONS_META = '_projections';

/**
 * Collection names become SQLite values, Map keys and MongoDB collection names (`rm_<name>`): one
 * conservative alphabet for all three keeps an adapter swap from ever failing on a name. `checkpoints`
 * is refused because `rm_checkpoints` is where the MongoDB adapter keeps checkpoints.
 */
const COLLECTION_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export function assertCollection(collection: string): void {
  if (typeof collection !== 'string' || !COLLECTION_NAME.test(collection) || collection === 'checkpoints') {
    throw new TypeError(`invalid read-model collection name ${JSON.stringify(collection)}`);
  }
}

/** Ids are stored as UTF-8 (SQLite text, BSON strings): a lone surrogate would come back as U+FFFD. */
export function assertId(id: string): void {
  if (typeof id !== 'string' || /[\uD800-\uDFFF]/u.test(id)) {
    throw new TypeError(`invalid read-model document id ${JSON.stringify(id)}`);
  }
}

/** The stored form of a document: canonical JSON, so equal documents are equal bytes in every store. */
export function encodeDoc(doc: Doc): string {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new TypeError('a read-model document must be a plain JSON object');
  }
  return canonicalJson(doc);
}

/**
 * Order of ids in all(): Unicode code points, which is the order of their UTF-8 bytes — what SQLite's
 * BINARY collation and MongoDB's default string comparison give. JavaScript's default sort compares
 * UTF-16 code units instead and differs for U+E000–U+FFFF against astral characters.
 */
export function compareIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

// Surrogates (astral code points) rank after U+E000–U+FFFF; everything below U+D800 keeps its place.
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
