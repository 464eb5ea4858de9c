import type { Connection, mongo } from 'mongoose';
import type { Clock } from '../clock/clock';
import { AccessLog, checkedFields, nextEntry, type AccessLogEntry, type AccessRecord, type ChainItem } from './access-log';

export const ACCESS_LOG_COLLECTION = 'access_log';
/** A writer that loses the race for the next sequence number this many times in a row gives up. */
const APPEND_ATTEMPTS = 100;

type EntryDoc = Omit<AccessLogEntry, 'seq'> & { _id: number };

/**
 * The access log in MongoDB (distributed profile): collection `access_log`, one document per entry
 * with the sequence number as `_id`. Appending is optimistic: read the last entry, insert the next
 * `_id`; a concurrent writer that took that number makes the insert fail on the unique `_id`, and
 * the append is retried on the new last entry, so all writers extend one chain. MongoDB has no
 * triggers: append-only is the database user's privileges (insert and find only) plus the hash chain,
 * which shows any change, insertion or removal.
 */
export class MongoAccessLog extends AccessLog {
  constructor(private readonly connection: Connection, private readonly clock: Clock, private readonly ownsConnection = false) {
    super();
  }

  private collection(): mongo.Collection<EntryDoc> {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB connection of the access log is not open');
    return db.collection<EntryDoc>(ACCESS_LOG_COLLECTION);
  }

  async record(record: AccessRecord): Promise<AccessLogEntry> {
    const log = this.collection();
    for (let attempt = 1; ; attempt++) {
      const last = await log.findOne({}, { sort: { _id: -1 }, projection: { _id: 1, hash: 1 } });
      const entry = nextEntry(last ? { seq: last._id, hash: last.hash } : undefined, record, this.clock.now().toISOString());
      const { seq, ...rest } = entry;
      try {
        // Journaled on a majority before the personal data it records is returned.
        await log.insertOne({ _id: seq, ...rest }, { writeConcern: { w: 'majority', j: true } });
        return entry;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000 || attempt >= APPEND_ATTEMPTS) throw err;
      }
    }
  }

  async page(after: number, limit: number): Promise<AccessLogEntry[]> {
    const docs = await this.collection().find({ _id: { $gt: after } }, { sort: { _id: 1 }, limit }).toArray();
    return docs.map((doc) => {
      const item = toItem(doc);
      if ('unreadable' in item) throw new TypeError(`access log entry ${doc._id}: ${item.unreadable}`);
      return item;
    });
  }

  protected async entry(seq: number): Promise<ChainItem | undefined> {
    const doc = await this.collection().findOne({ _id: seq });
    return doc ? toItem(doc) : undefined;
  }

  protected async *entries(): AsyncIterable<ChainItem> {
    for await (const doc of this.collection().find({}, { sort: { _id: 1 } })) yield toItem(doc);
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }
}

function toItem(doc: EntryDoc): ChainItem {
  const fields = checkedFields(doc.fields);
  if (typeof fields === 'string') return { seq: doc._id, unreadable: fields };
  const { _id, at, principal, role, requestId, householdId, prevHash, hash } = doc;
  return { seq: _id, at, principal, role, requestId, householdId, fields, prevHash, hash };
}
