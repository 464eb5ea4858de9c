import { ConfigError } from '@peil/config';
import { loadReadStoreConfig } from './read-store.config';

describe('read store configuration (PEIL_READ_STORE, PEIL_MONGO_URL)', () => {
  const secret = 'mongodb://peil:hunter2@mongo:27017/peil?replicaSet=rs0';

  it('defaults to the SQLite file in the data dir', () => {
    expect(loadReadStoreConfig('/srv/peil', {})).toEqual({ kind: 'sqlite', file: '/srv/peil/read-models.sqlite' });
    expect(loadReadStoreConfig('/srv/peil', { PEIL_READ_STORE: 'sqlite', PEIL_MONGO_URL: secret })).toMatchObject({ kind: 'sqlite' });
  });

  it('takes MongoDB at PEIL_MONGO_URL', () => {
    expect(loadReadStoreConfig('/srv/peil', { PEIL_READ_STORE: 'mongo', PEIL_MONGO_URL: ` ${secret} ` })).toEqual({ kind: 'mongo', url: secret });
    expect(loadReadStoreConfig('/d', { PEIL_READ_STORE: 'mongo', PEIL_MONGO_URL: 'mongodb+srv://cluster0.example.net/peil' })).toMatchObject({ kind: 'mongo' });
  });

  it.each([
    [{ PEIL_READ_STORE: 'mongo' }, /PEIL_MONGO_URL: required when PEIL_READ_STORE=mongo/],
    [{ PEIL_READ_STORE: 'mongo', PEIL_MONGO_URL: '  ' }, /PEIL_MONGO_URL: required/],
    [{ PEIL_READ_STORE: 'mongo', PEIL_MONGO_URL: 'http://peil:hunter2@mongo:27017' }, /PEIL_MONGO_URL: must be a MongoDB connection string/],
    [{ PEIL_READ_STORE: 'postgres' }, /PEIL_READ_STORE:/],
  ])('stops the start on %j with a ConfigError naming the variable, never its value', (env, message) => {
    let error: unknown;
    try {
      loadReadStoreConfig('/d', env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
