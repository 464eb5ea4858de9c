import type { Position } from '@peil/ledger';
import type { ClientSession, Connection, Model, Schema } from 'mongoose';
import { ReadOnlyTx, runInOverlay, type BaseReader, type DocWrite } from './overlay-tx';
import { PROJECTIONS_META } from './read-model-names';
import { CheckpointMovedError, type CheckpointMark, type CommitTx, type Doc, type ReadStore, type ReadTx } from './read-store.port';

type MongooseModule = typeof import('mongoose');

/** One read-model document: `doc` holds the projection's JSON, so its keys never meet `_id` or each other. */
interface StoredDoc {
  _id: string;
  doc: Doc;
}
interface StoredCheckpoint {
  _id: string;
  position: number;
  /** The hash of the ledger event at `position`; absent on checkpoints written before it was kept. */
  hash?: string | null;
}

let loaded: { mongoose: MongooseModule; docSchema: Schema<StoredDoc>; checkpointSchema: Schema<StoredCheckpoint> } | undefined;

/**
 * mongoose takes ~150 ms to load, and every service importing @peil/projections would pay it in the
 * embedded profile that never talks to MongoDB: it is required on first use, and the two schemas are
 * declared once, then.
 */
function mongooseAndSchemas(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  // A plain require keeps the load lazy; the cast restores the package's own typings.
  const mongoose = require('mongoose') as MongooseModule;
  const options = {
    versionKey: false as const,
    // Store {} as {}: a projection's document must come back exactly as it was put.
    minimize: false,
    // Collections appear on first insert (implicit creation is allowed inside transactions since
    // MongoDB 4.4); a background createCollection racing a transaction would only add aborts.
    autoCreate: false,
    autoIndex: false,
  };
  const docSchema = new mongoose.Schema<StoredDoc>(
    { _id: { type: String, required: true }, doc: { type: mongoose.Schema.Types.Mixed, required: true } },
    options,
  );
  const checkpointSchema = new mongoose.Schema<StoredCheckpoint>(
    { _id: { type: String, required: true }, position: { type: Number, required: true }, hash: { type: String, required: false } },
    options,
  );
  return (loaded = { mongoose, docSchema, checkpointSchema });
}

export interface MongoReadStoreOptions {
  /** Prefix of every MongoDB collection this store uses; default `rm_` (`rm_<collection>`, `rm_checkpoints`). */
  prefix?: string;
}

/**
 * The distributed profile's read store, over mongoose: one MongoDB collection per read-model collection,
 * checkpoints in `<prefix>checkpoints`. commit() runs in a multi-document transaction, so it needs a
 * replica set (a single-node one is enough) or mongos: see docs/decisions/0011.
 */
export class MongoReadStore implements ReadStore {
  /** A catch-up commit is one multi-document transaction: kept to the live batch size (60 s limit by default). */
  readonly maxCatchUpBatch = 2_000;
  private readonly prefix: string;
  private readonly models = new Map<string, Model<StoredDoc>>();
  private readonly checkpoints: Model<StoredCheckpoint>;
  private transactionsChecked: Promise<void> | undefined;

  /** A store on a connection the caller owns (close() leaves it open). */
  constructor(private readonly connection: Connection, options: MongoReadStoreOptions = {}, private readonly ownsConnection = false) {
    this.prefix = options.prefix ?? 'rm_';
    const name = `${this.prefix}checkpoints`;
    this.checkpoints = (connection.models[name] as Model<StoredCheckpoint> | undefined) ??
      connection.model<StoredCheckpoint>(name, mongooseAndSchemas().checkpointSchema, name);
  }

  /**
   * Connects to `uri` (e.g. mongodb://mongo:27017/peil?replicaSet=rs0); the store owns the connection.
   * Rejects when no server is selected within `serverSelectionTimeoutMS` (driver default 30 s); once
   * connected, the driver reconnects by itself.
   */
  static async connect(uri: string, options: MongoReadStoreOptions & { dbName?: string; serverSelectionTimeoutMS?: number } = {}): Promise<MongoReadStore> {
    const { mongoose } = mongooseAndSchemas();
    const connection = mongoose.createConnection(uri, {
      ...(options.dbName ? { dbName: options.dbName } : {}),
      ...(options.serverSelectionTimeoutMS ? { serverSelectionTimeoutMS: options.serverSelectionTimeoutMS } : {}),
    });
    try {
      await connection.asPromise();
    } catch (err) {
      // A failed first connection keeps its client and timers; a caller retrying would leak them.
      await connection.close().catch(() => undefined);
      throw err;
    }
    return new MongoReadStore(connection, options, true);
  }

  /** Resolves when the server answers (a health check). */
  async ping(): Promise<void> {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB connection is not open');
    await db.admin().ping();
  }

  async checkpoint(projection: string): Promise<Position | null> {
    const found = await this.checkpoints.findById(projection).lean<StoredCheckpoint>();
    return found?.position ?? null;
  }

  async checkpointMark(projection: string): Promise<CheckpointMark | null> {
    const found = await this.checkpoints.findById(projection).lean<StoredCheckpoint>();
    return found ? { position: found.position, hash: found.hash ?? null } : null;
  }

  async commit(projection: string, expected: Position | null, position: Position, fn: (tx: CommitTx) => Promise<void>, hash?: string): Promise<void> {
    await this.assertTransactions();
    // connection.transaction() retries the whole callback on a transient error (a write conflict with a
    // concurrent commit, a primary stepping down): each attempt re-checks the checkpoint and runs the
    // batch again on a fresh overlay, which is sound because projections are deterministic.
    await this.connection.transaction(
      async (session) => {
        const actual = await this.checkpointIn(projection, session);
        if (actual !== expected) throw new CheckpointMovedError(projection, expected, actual);
        const writes = await runInOverlay(this.reader(session), fn);
        await this.apply(writes, session);
        // Writing the checkpoint document also makes two racing commits conflict: one of them aborts.
        await this.checkpoints.updateOne({ _id: projection }, { $set: { position, hash: hash ?? null } }, { upsert: true, session });
      },
      { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' } },
    );
  }

  async read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    return fn(new ReadOnlyTx(this.reader(undefined)));
  }

  /**
   * Not one transaction: a transaction cannot hold an unbounded delete. The order makes an interrupted
   * reset safe with the Projector: the version stamp goes first, so a projection left half-reset has a
   * checkpoint but no stamp, which the Projector treats as "rebuild"; the checkpoint goes last.
   */
  async reset(projections: readonly string[], collections: readonly string[]): Promise<void> {
    if (projections.length > 0) await this.model(PROJECTIONS_META).deleteMany({ _id: { $in: [...projections] } });
    for (const collection of collections) await this.model(collection).deleteMany({});
    if (projections.length > 0) await this.checkpoints.deleteMany({ _id: { $in: [...projections] } });
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  private reader(session: ClientSession | undefined): BaseReader {
    return {
      get: async (collection, id) => {
        const found = await this.model(collection).findById(id, null, { session }).lean<StoredDoc>();
        return found?.doc;
      },
      all: async (collection) => {
        const found = await this.model(collection).find({}, null, { session }).sort({ _id: 1 }).lean<StoredDoc[]>();
        return found.map((d) => ({ id: d._id, doc: d.doc }));
      },
    };
  }

  private async checkpointIn(projection: string, session: ClientSession): Promise<Position | null> {
    const found = await this.checkpoints.findById(projection, null, { session }).lean<StoredCheckpoint>();
    return found?.position ?? null;
  }

  /**
   * Delete-then-insert rather than replaceOne: MongoDB accepts `$`-prefixed and dotted keys inside
   * documents on insert, but refuses `$`-prefixed ones in a replacement of an existing document.
   * `lean` inserts skip mongoose's casting, so the projection's JSON is stored as it is.
   */
  private async apply(writes: readonly DocWrite[], session: ClientSession): Promise<void> {
    const byCollection = new Map<string, DocWrite[]>();
    for (const w of writes) {
      const ws = byCollection.get(w.collection);
      if (ws) ws.push(w);
      else byCollection.set(w.collection, [w]);
    }
    for (const [collection, ws] of byCollection) {
      const model = this.model(collection);
      await model.deleteMany({ _id: { $in: ws.map((w) => w.id) } }, { session });
      const puts = ws.flatMap((w) => (w.json === null ? [] : [{ _id: w.id, doc: JSON.parse(w.json) as Doc }]));
      if (puts.length > 0) await model.insertMany(puts, { session, lean: true, ordered: true });
    }
  }

  private model(collection: string): Model<StoredDoc> {
    let model = this.models.get(collection);
    if (!model) {
      const name = `${this.prefix}${collection}`;
      model = (this.connection.models[name] as Model<StoredDoc> | undefined) ?? this.connection.model<StoredDoc>(name, mongooseAndSchemas().docSchema, name);
      this.models.set(collection, model);
    }
    return model;
  }

  /** A standalone mongod refuses transactions with an obscure error; say what is wrong instead. */
  private assertTransactions(): Promise<void> {
    this.transactionsChecked ??= (async () => {
      await this.connection.asPromise();
      const hello = await this.connection.db!.admin().command({ hello: 1 });
      if (hello.setName === undefined && hello.msg !== 'isdbgrid') {
        throw new Error('MongoReadStore needs a replica set (a single-node one is enough) or mongos: commits are transactions');
      }
    })().catch((err: unknown) => {
      this.transactionsChecked = undefined;
      throw err;
    });
    return this.transactionsChecked;
  }
}
