/** What a port's contract suite runs against: a data dir, a database, a server. */
export interface ContractBacking {
  cleanup(): Promise<void>;
}

/**
 * The scaffolding of a contract suite whose tests each get a fresh backing: made before each test,
 * every instance opened on it during the test (as several processes would) closed after it, then
 * the backing removed. Use `backing` and `open` inside tests and hooks only.
 */
export function usePerTestBacking<B extends ContractBacking, T extends { close(): Promise<void> }>(
  setup: () => Promise<B>,
): { readonly backing: B; open(how: (backing: B) => Promise<T>): Promise<T>; track(instance: T): T } {
  let current: B | undefined;
  const opened: T[] = [];
  beforeEach(async () => {
    current = await setup();
  });
  afterEach(async () => {
    for (const instance of opened.splice(0)) await instance.close();
    await current?.cleanup();
    current = undefined;
  });
  const scaffold = {
    get backing(): B {
      if (!current) throw new Error('usePerTestBacking: the backing exists only inside a test');
      return current;
    },
    track(instance: T): T {
      opened.push(instance);
      return instance;
    },
    async open(how: (backing: B) => Promise<T>): Promise<T> {
      return scaffold.track(await how(scaffold.backing));
    },
  };
  return scaffold;
}

/** What serves a whole contract suite: the adapter under test, and how to remove what it made. */
export interface SuiteSubject<Store> extends ContractBacking {
  store: Store;
}

/**
 * The scaffolding of a contract suite that one subject serves whole (a server is slow to start and
 * every test uses fresh names): made before the first test, cleaned up after the last. `ready`
 * receives it once made.
 */
export function useSuiteSubject<S extends SuiteSubject<unknown>>(factory: () => Promise<S>, ready: (subject: S) => void): void {
  let subject: S | undefined;
  beforeAll(async () => {
    subject = await factory();
    ready(subject);
  }, 120_000);
  afterAll(async () => {
    await subject?.cleanup();
  });
}
