import { createHash } from 'node:crypto';
import { canonicalJson } from '@peil/ledger';

/** Who read which household's personal data, and when. Never the data itself. */
export interface AccessRecord {
  /** The caller as the gateway forwarded it: `<role>:<api key id>`. */
  principal: string;
  role: string;
  requestId: string;
  householdId: string;
  /** Personal-data paths that were decrypted for this read, e.g. `participant.fullName`. */
  fields: string[];
}

export interface AccessLogEntry extends AccessRecord {
  seq: number;
  at: string;
  prevHash: string | null;
  hash: string;
}

export interface AccessLogVerification {
  ok: boolean;
  checkedEntries: number;
  lastSeq: number | null;
  firstFailure?: { seq: number; reason: 'hash_mismatch' | 'chain_broken' | 'sequence_gap' | 'unreadable'; detail: string };
}

/**
 * hash = SHA-256 of the canonical JSON of the entry without `hash`; `prevHash` is the previous
 * entry's hash, so changing, inserting or removing an entry breaks every later link.
 */
export function hashAccessEntry(entry: Omit<AccessLogEntry, 'hash'>): string {
  const { seq, at, principal, role, requestId, householdId, fields, prevHash } = entry;
  return createHash('sha256').update(canonicalJson({ seq, at, principal, role, requestId, householdId, fields, prevHash })).digest('hex');
}

/** An entry as read back: whole, or (the stored form was damaged) only its sequence number and why. */
export type ChainItem = AccessLogEntry | { seq: number; unreadable: string };

/**
 * The personal-data access log port: one hash-chained, append-only log of who read which household's
 * personal data. The service that decrypts appends (enrolment), the ledger service reads and verifies
 * it for auditors. An entry is written and committed BEFORE the data is returned: a read that cannot
 * be logged fails. Adapters: SQLite in the data dir (sqlite-access-log.ts) and MongoDB
 * (mongo-access-log.ts, the distributed profile: the appender and the reader run in different
 * containers); both run access-log.contract.ts. The checks are here, once.
 */
export abstract class AccessLog {
  /** Appends one entry after the last one (several writers share one chain) and returns it. */
  abstract record(record: AccessRecord): Promise<AccessLogEntry>;
  /** Entries after `after` (a seq), in order. */
  abstract page(after: number, limit: number): Promise<AccessLogEntry[]>;
  /** Entry `seq`, or undefined; damaged entries are read as ChainItem's `unreadable`. */
  protected abstract entry(seq: number): Promise<ChainItem | undefined>;
  /** Every entry in order. */
  protected abstract entries(): AsyncIterable<ChainItem> | Iterable<ChainItem>;
  abstract close(): Promise<void>;

  /** Recomputes every hash and checks every link and sequence number; reports the first failure. */
  verify(): Promise<AccessLogVerification> {
    return checkChain(this.entries(), null);
  }

  /**
   * The same checks over one page: its entries, and the link from its first entry to entry `after`.
   * Cheap enough to answer with every page; a whole-log check is verify().
   */
  async verifyPage(after: number, entries: readonly AccessLogEntry[]): Promise<AccessLogVerification> {
    if (after === 0) return checkChain(entries, null);
    const before = await this.entry(after);
    if (!before) {
      return { ok: false, checkedEntries: 0, lastSeq: null, firstFailure: { seq: after, reason: 'sequence_gap', detail: `entry ${after} is missing` } };
    }
    if ('unreadable' in before) return checkChain([before], null);
    return checkChain(entries, { seq: before.seq, hash: before.hash });
  }

  /** Nest calls this on shutdown when the log is a provider. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

/** The entry after `last` for `record`, hashed: what every adapter appends. */
export function nextEntry(last: { seq: number; hash: string } | undefined, record: AccessRecord, at: string): AccessLogEntry {
  const entry: Omit<AccessLogEntry, 'hash'> = {
    seq: (last?.seq ?? 0) + 1,
    at,
    principal: record.principal,
    role: record.role,
    requestId: record.requestId,
    householdId: record.householdId,
    fields: [...record.fields],
    prevHash: last?.hash ?? null,
  };
  return { ...entry, hash: hashAccessEntry(entry) };
}

/** `fields` as stored, checked: an array of strings, or the reason it is not. */
export function checkedFields(fields: unknown): string[] | string {
  return Array.isArray(fields) && fields.every((f) => typeof f === 'string') ? fields : 'fields is not a JSON array of strings';
}

type Failure = NonNullable<AccessLogVerification['firstFailure']>;

/** Checks entries in order, starting after `before` (null: the start of the log). */
async function checkChain(items: AsyncIterable<ChainItem> | Iterable<ChainItem>, before: { seq: number; hash: string } | null): Promise<AccessLogVerification> {
  let previous = before?.hash ?? null;
  let lastSeq = before?.seq ?? 0;
  let checked = 0;
  const fail = (seq: number, reason: Failure['reason'], detail: string): AccessLogVerification => ({
    ok: false,
    checkedEntries: checked,
    lastSeq: lastSeq === 0 ? null : lastSeq,
    firstFailure: { seq, reason, detail },
  });
  for await (const entry of items) {
    if ('unreadable' in entry) return fail(entry.seq, 'unreadable', entry.unreadable);
    if (entry.seq !== lastSeq + 1) return fail(entry.seq, 'sequence_gap', `expected entry ${lastSeq + 1}, found ${entry.seq}`);
    if (entry.prevHash !== previous) return fail(entry.seq, 'chain_broken', `prevHash does not match the hash of entry ${lastSeq}`);
    if (hashAccessEntry(entry) !== entry.hash) return fail(entry.seq, 'hash_mismatch', 'the entry does not match its hash (altered after it was written)');
    previous = entry.hash;
    lastSeq = entry.seq;
    checked += 1;
  }
  return { ok: true, checkedEntries: checked, lastSeq: lastSeq === 0 ? null : lastSeq };
}
