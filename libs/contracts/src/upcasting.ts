import { upcasterFor, type Upcast } from './common/upcaster';
import { GRANT_UPCASTERS } from './grant/grant.upcasters';

export * from './common/upcaster';

/** Every context's upcasters: what readers call on a stored event before folding or projecting it. */
export const upcast: Upcast = upcasterFor([...GRANT_UPCASTERS]);
