import type { ClientSession, Connection, mongo } from 'mongoose';
import { KeystoreError, type HouseholdKeyStore, type KeyRow, type KeyRows, type NewKeyRow } from './key-store';
import { WrappedKeyStore, type KeyStoreOptions } from './wrapped-key-store';

export const KEYS_COLLECTION = 'household_keys';
export const KEYS_META_COLLECTION = 'keystore_meta';

interface KeyDoc {
  _id: string;
  wrappedKey: Buffer | null;
  createdAt: string;
  destroyedAt: string | null;
}
interface MetaDoc {
  _id: string;
  value: Buffer;
}

/**
 * Acknowledged means journaled on a majority: a key handed out may already protect ledger data, and
 * an erasure reported done must not come back after a failover.
 */
const DURABLE = { w: 'majority', j: true } as const;
/** Buffers back as Buffers, not bson Binary. */
const READ = { promoteBuffers: true } as const;

/**
 * The distributed profile's key store: two collections (`household_keys`, `keystore_meta`) in the
 * MongoDB every service reaches, so a service needs no shared volume for keys (decision 0055).
 * Keys are wrapped under the master key exactly as in SQLite; MongoDB only ever sees wrapped keys.
 * A batch's keys and an erasure are multi-document transactions: the server must be a replica set
 * (one node is enough) or mongos, as for the read store.
 */
export async function openMongoKeyStore(connection: Connection, masterKey: Buffer, options: KeyStoreOptions & { ownsConnection?: boolean } = {}): Promise<HouseholdKeyStore> {
  return WrappedKeyStore.open(new MongoKeyRows(connection, options.ownsConnection ?? false), masterKey, options);
}

export class MongoKeyRows implements KeyRows {
  readonly description: string;

  /** Rows on a connection; close() closes it only when the store owns it. */
  constructor(private readonly connection: Connection, private readonly ownsConnection = false) {
    this.description = `the MongoDB key store (database ${connection.name}, collection ${KEYS_COLLECTION})`;
  }

  private db(): mongo.Db {
    const db = this.connection.db;
    if (!db) throw new KeystoreError('MongoDB connection of the key store is not open');
    return db;
  }

  private keys(): mongo.Collection<KeyDoc> {
    return this.db().collection<KeyDoc>(KEYS_COLLECTION);
  }

  async claimCheckValue(check: Buffer): Promise<Buffer | undefined> {
    const meta = this.db().collection<MetaDoc>(KEYS_META_COLLECTION);
    await ignoreDuplicate(meta.updateOne({ _id: 'master_key_check' }, { $setOnInsert: { value: check } }, { upsert: true, writeConcern: DURABLE }));
    return (await meta.findOne({ _id: 'master_key_check' }, READ))?.value;
  }

  async read(householdId: string): Promise<KeyRow | undefined> {
    return toKeyRow(await this.keys().findOne({ _id: householdId }, READ));
  }

  async insertIfAbsent(row: NewKeyRow): Promise<KeyRow | undefined> {
    // An upsert on _id only inserts when absent; the loser of a race reads the winner's row.
    await ignoreDuplicate(this.keys().updateOne({ _id: row.householdId }, { $setOnInsert: newDoc(row) }, { upsert: true, writeConcern: DURABLE }));
    return this.read(row.householdId);
  }

  async insertAll(rows: readonly NewKeyRow[]): Promise<void> {
    await this.transaction(async (session) => {
      const keys = this.keys();
      for (const row of rows) await keys.updateOne({ _id: row.householdId }, { $setOnInsert: newDoc(row) }, { upsert: true, session });
      const stored = new Map((await keys.find({ _id: { $in: rows.map((r) => r.householdId) } }, { ...READ, session }).toArray()).map((d) => [d._id, d]));
      for (const row of rows) {
        const wrapped = stored.get(row.householdId)?.wrappedKey;
        if (!wrapped || !Buffer.from(wrapped).equals(row.wrappedKey)) {
          throw new KeystoreError(`household ${row.householdId}: its key was created or destroyed elsewhere during this batch; submit again`);
        }
      }
    });
  }

  async destroy(householdId: string, at: string): Promise<{ destroyedAt: string; alreadyDestroyed: boolean }> {
    return this.transaction(async (session) => {
      const keys = this.keys();
      const row = await keys.findOne({ _id: householdId }, { ...READ, session });
      if (row?.destroyedAt) return { destroyedAt: row.destroyedAt, alreadyDestroyed: true };
      if (row) await keys.updateOne({ _id: householdId }, { $set: { wrappedKey: null, destroyedAt: at } }, { session });
      else await keys.insertOne({ _id: householdId, wrappedKey: null, createdAt: at, destroyedAt: at }, { session });
      return { destroyedAt: at, alreadyDestroyed: false };
    });
  }

  async ping(): Promise<void> {
    await this.db().admin().ping();
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  /**
   * One transaction, retried by the driver on a transient error (a write conflict with another
   * process's batch or erasure): each attempt reads afresh, so the checks above hold at commit.
   */
  private async transaction<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
    const session = this.connection.getClient().startSession();
    try {
      let result!: T;
      await session.withTransaction(
        async () => {
          result = await work(session);
        },
        { readConcern: { level: 'snapshot' }, writeConcern: DURABLE },
      );
      return result;
    } finally {
      await session.endSession();
    }
  }
}

function newDoc(row: NewKeyRow): Omit<KeyDoc, '_id'> {
  return { wrappedKey: row.wrappedKey, createdAt: row.createdAt, destroyedAt: null };
}

function toKeyRow(doc: KeyDoc | null): KeyRow | undefined {
  return doc ? { wrappedKey: doc.wrappedKey === null ? null : Buffer.from(doc.wrappedKey), destroyedAt: doc.destroyedAt } : undefined;
}

/** Two upserts of one _id racing: the server retries most, and the loser of the rest gets E11000. */
async function ignoreDuplicate(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
  }
}
