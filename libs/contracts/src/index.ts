export * from './common/primitives';
export * from './enrolment';
