import type { Connection } from 'mongoose';

type MongooseModule = typeof import('mongoose');

/**
 * A connection of this process's own to MongoDB at `url`, for the key store and the access log.
 * mongoose is required here, not imported at the top: processes that never talk to MongoDB (the
 * embedded profile) do not pay the ~150 ms it takes to load. Rejects when no server is selected in
 * time; a failed first connection is closed, so a caller retrying leaks nothing.
 */
export async function connectMongo(url: string, serverSelectionTimeoutMS = 30_000): Promise<Connection> {
  const mongoose = require('mongoose') as MongooseModule;
  const connection = mongoose.createConnection(url, { serverSelectionTimeoutMS });
  try {
    return await connection.asPromise();
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw err;
  }
}
