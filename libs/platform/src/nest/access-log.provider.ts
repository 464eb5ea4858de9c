import type { Provider } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock';
import type { PlatformConfig } from '../config/platform.config';
import { AccessLog } from '../privacy/access-log';
import { MongoAccessLog } from '../privacy/mongo-access-log';
import { openSqliteAccessLog } from '../privacy/sqlite-access-log';
import { connectMongo } from './mongo-connection';
import { PLATFORM_CONFIG } from './tokens';

/**
 * The personal-data access log (PEIL_ACCESS_LOG), for services that decrypt (append) or audit (read):
 * the data dir's file, or MongoDB when those services run in containers of their own (decision 0056).
 */
export const accessLogProvider = (): Provider => ({
  provide: AccessLog,
  inject: [PLATFORM_CONFIG, CLOCK],
  useFactory: async (config: PlatformConfig, clock: Clock): Promise<AccessLog> => {
    if (config.PEIL_ACCESS_LOG === 'sqlite') return openSqliteAccessLog(config.dataDir, clock);
    return new MongoAccessLog(await connectMongo(config.PEIL_MONGO_URL!), clock, true);
  },
});
