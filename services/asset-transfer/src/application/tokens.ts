export const GRANT_CLIENT = Symbol('GrantClient');
