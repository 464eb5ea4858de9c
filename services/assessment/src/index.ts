// What other contexts may use from assessment: the pure fold of a household's livelihood stream, and its readers.
export { evolveLivelihood, initialLivelihood, kitCost, type Livelihood, type StoredAssessmentEvent } from './domain/livelihood.decider';
export { CatalogueReader, LivelihoodReader, type CatalogueApproval } from './application/livelihood.reader';
