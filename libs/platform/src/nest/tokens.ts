/** Injection tokens of the platform's providers (ports are interfaces, so they are injected by token). */
export const EVENT_STORE = Symbol('EventStore');
export const PLATFORM_CONFIG = Symbol('PlatformConfig');
export const KEY_STORE = Symbol('HouseholdKeyStore');
export const PERSONAL_DATA = Symbol('PersonalDataProtector');
export const DIGEST_KEY = Symbol('ContentDigestKey');
export const SERVICE_NAME = Symbol('ServiceName');
/** LedgerFeeds (@peil/projections): where services' reactions follow the ledger from, by PEIL_SUBSCRIPTIONS. */
export const LEDGER_FEEDS = Symbol('LedgerFeeds');
/** ServiceMetrics: this process's Prometheus registry and its common metrics. */
export const METRICS = Symbol('ServiceMetrics');
