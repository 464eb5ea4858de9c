import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig } from '@peil/config';

/** The embedded read store: its own file beside the ledger, never the ledger's. */
export const readModelsFile = (dataDir: string): string => join(dataDir, 'read-models.sqlite');

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const schema = z.object({
  PEIL_READ_STORE: z.enum(['sqlite', 'mongo']).optional().default('sqlite'),
  // A connection string may carry a password: checked by shape only, never echoed.
  PEIL_MONGO_URL: optionalText.refine((v) => v === undefined || /^mongodb(\+srv)?:\/\/\S+$/.test(v), {
    message: 'must be a MongoDB connection string (mongodb://host:27017/peil?replicaSet=rs0 or mongodb+srv://…)',
  }),
});

export type ReadStoreConfig = { kind: 'sqlite'; file: string } | { kind: 'mongo'; url: string };

/**
 * Where the read models live (PEIL_READ_STORE): `sqlite` (default, `<data dir>/read-models.sqlite`)
 * or `mongo` (MongoDB at PEIL_MONGO_URL, a replica set: decision 0011). Shared by the reporting
 * service and the CLI, so `peil-ledger rebuild` rebuilds the store the service reads.
 */
export function loadReadStoreConfig(dataDir: string, env: NodeJS.ProcessEnv = process.env): ReadStoreConfig {
  const config = loadConfig(schema, env);
  if (config.PEIL_READ_STORE === 'sqlite') return { kind: 'sqlite', file: readModelsFile(dataDir) };
  if (config.PEIL_MONGO_URL === undefined) throw new ConfigError('invalid configuration\n  PEIL_MONGO_URL: required when PEIL_READ_STORE=mongo');
  return { kind: 'mongo', url: config.PEIL_MONGO_URL };
}
