import { ConfigError, readSecret } from '@peil/config';
import type { Connection } from 'mongoose';
import type { PlatformConfig } from '../config/platform.config';
import { connectMongo } from './mongo-connection';
import { loadMasterKey, openMongoKeyStore, openSqliteKeyStore, type HouseholdKeyStore, type MasterKeySource } from '../privacy';


/**
 * The key store of this profile (PEIL_KEY_STORE, decision 0055): `<data dir>/keystore.sqlite`, or
 * MongoDB at PEIL_MONGO_URL. With MongoDB every service process may run on its own host, so the
 * master key must be the same everywhere: it has to come from PEIL_MASTER_KEY or PEIL_MASTER_KEY_FILE,
 * never from a master.key generated in one container's data dir.
 */
export async function openKeyStore(config: PlatformConfig, env: MasterKeySource = process.env): Promise<HouseholdKeyStore> {
  if (config.PEIL_KEY_STORE === 'sqlite') return withMasterKey(loadMasterKey(env, config.dataDir), (key) => openSqliteKeyStore(config.dataDir, key));
  const secret = readSecret(env, 'PEIL_MASTER_KEY');
  if (!secret) throw new ConfigError('invalid configuration\n  PEIL_MASTER_KEY: required (or PEIL_MASTER_KEY_FILE) when PEIL_KEY_STORE=mongo');
  const masterKey = loadMasterKey(env, config.dataDir);
  let connection: Connection;
  try {
    connection = await connectMongo(config.PEIL_MONGO_URL!);
  } catch (err) {
    masterKey.fill(0);
    throw err;
  }
  try {
    return await withMasterKey(masterKey, (key) => openMongoKeyStore(connection, key, { ownsConnection: true }));
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw err;
  }
}

async function withMasterKey<T>(masterKey: Buffer, open: (key: Buffer) => Promise<T>): Promise<T> {
  try {
    return await open(masterKey);
  } finally {
    masterKey.fill(0); // the store keeps its own copy
  }
}
