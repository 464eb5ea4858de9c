// The e2e project's jest globalTeardown: stops the systems the specs shared (shared-system.ts).
import { sharedSystemTeardown } from './shared-system';

export default sharedSystemTeardown;
