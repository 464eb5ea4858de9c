// The e2e project's setupFilesAfterEnv: a test there talks HTTP to nine processes on a machine
// that CI shares; jest's 5 s default turns load into failures. A spec may still set its own.
jest.setTimeout(120_000);
