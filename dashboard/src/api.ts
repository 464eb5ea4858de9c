/**
 * Every call the page makes: same origin, the key as a bearer header (never in a URL, so it never
 * reaches a log, a history or a Referer), kept in sessionStorage so it dies with the tab.
 */
const KEY = 'peil.apiKey';

export class Unauthenticated extends Error {}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  save: (key: string): void => sessionStorage.setItem(KEY, key),
  clear: (): void => sessionStorage.removeItem(KEY),
};

async function call(path: string): Promise<Response> {
  const key = session.key();
  if (key === null) throw new Unauthenticated('no key');
  const res = await fetch(`/v1${path}`, { headers: { authorization: `Bearer ${key}` }, cache: 'no-store' });
  if (res.status === 401) throw new Unauthenticated('the key was refused');
  if (!res.ok) {
    let code = `http_${res.status}`;
    let message = res.statusText;
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, code, message);
  }
  return res;
}

export const getJson = async <T>(path: string): Promise<T> => (await (await call(path)).json()) as T;
export const getText = async (path: string): Promise<string> => (await call(path)).text();

/** Saves an authenticated answer as a file: fetched with the header, handed over as a blob URL. */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await call(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The gateway's health, open without a key. */
export async function health(): Promise<{ ready: boolean; services: Record<string, { ok: boolean; error?: string; components?: Array<{ name: string; ok: boolean }> }> }> {
  const res = await fetch('/v1/health', { cache: 'no-store' });
  return res.json();
}
