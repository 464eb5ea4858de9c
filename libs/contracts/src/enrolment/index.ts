export * from './enrolment.events';
