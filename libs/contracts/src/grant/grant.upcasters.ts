import type { UpcasterRegistration } from '../common/upcaster';
import { disbursementCategoriesOf, type GrantAgreementSigned } from './grant.events';

/**
 * How stored grant events of an older schema version read today. Version 1 agreements predate
 * disbursement categories: each is read with one default category holding every line, exactly as
 * a version-2 submission that names no category is recorded.
 */
export const GRANT_UPCASTERS: readonly UpcasterRegistration[] = [
  {
    type: 'GrantAgreementSigned',
    fromVersion: 1,
    upcast: (data) => {
      const agreement = data as GrantAgreementSigned;
      return { ...agreement, disbursementCategories: disbursementCategoriesOf(agreement) };
    },
  },
];
