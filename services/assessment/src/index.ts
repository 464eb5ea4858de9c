// What other contexts may use from assessment: the pure fold of a household's livelihood stream.
export { evolveLivelihood, initialLivelihood, kitCost, type Livelihood, type StoredAssessmentEvent } from './domain/livelihood.decider';
