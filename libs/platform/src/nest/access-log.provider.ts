import type { Provider } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock';
import type { PlatformConfig } from '../config/platform.config';
import { AccessLog } from '../privacy/access-log';
import { PLATFORM_CONFIG } from './tokens';

/** The personal-data access log of the data dir, for services that decrypt (append) or audit (read). */
export const accessLogProvider = (): Provider => ({
  provide: AccessLog,
  inject: [PLATFORM_CONFIG, CLOCK],
  useFactory: (config: PlatformConfig, clock: Clock) => AccessLog.open(config.dataDir, clock),
});
