// The e2e project's jest globalSetup: see shared-system.ts.
import { sharedSystemSetup } from './shared-system';

export default sharedSystemSetup;
