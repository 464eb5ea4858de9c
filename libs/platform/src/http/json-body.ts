import type { NextFunction, Request, Response } from 'express';
import { raw } from 'express';
import { apiError, type ApiError } from './error-body';

/** How deep a request body may nest arrays and objects unless PEIL_MAX_JSON_DEPTH says otherwise. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

export type ParsedJson = { ok: true; value: unknown } | { ok: false; status: 400; error: ApiError };

/**
 * Bytes → JSON value, refusing what JSON.parse would accept silently or fail on badly: bytes that are
 * not UTF-8 (Node's default decoder would turn them into U+FFFD, changing what was submitted), and
 * nesting deeper than `maxDepth` — checked before JSON.parse runs, since a 10,000-deep value makes
 * every recursive walk after it (schemas, digests) overflow the stack.
 */
export function parseJsonBytes(bytes: Uint8Array, maxDepth: number): ParsedJson {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { ok: false, status: 400, error: apiError('invalid_utf8', 'the body is not valid UTF-8') };
  }
  const depth = nestingDepth(text, maxDepth);
  if (depth > maxDepth) {
    return { ok: false, status: 400, error: apiError('too_deep', `the body nests arrays and objects deeper than ${maxDepth} levels (PEIL_MAX_JSON_DEPTH)`) };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, status: 400, error: apiError('malformed_json', `the body is not JSON: ${err instanceof Error ? err.message : String(err)}`) };
  }
}

/**
 * The deepest nesting of `[`/`{` outside string literals, in one pass; stops counting once past
 * `limit`. Not a validator: malformed text is left to JSON.parse, which sees it only when shallow.
 */
export function nestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return deepest;
}

/** `application/json` or `application/<something>+json`, in UTF-8 when a charset is named. */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) return false;
  const charset = params.find((p) => p.startsWith('charset='));
  return charset === undefined || /^charset="?utf-8"?$/.test(charset);
}

export interface JsonBodyOptions {
  limitBytes: number;
  maxDepth: number;
}

const hasBody = (req: Request) => req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/**
 * The services' body parser, in place of express.json(): a body is JSON in UTF-8 or it is refused
 * before any controller runs, with the API's error shape — 415 for another media type (valid JSON
 * sent as text/plain would otherwise reach the controller as no body at all), 400 for bytes that are
 * not UTF-8, nesting past the limit or malformed JSON, 413 past the size limit.
 */
export function jsonBody(options: JsonBodyOptions) {
  const readRaw = raw({ type: () => true, limit: options.limitBytes });
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!hasBody(req)) return next();
    const send = (status: number, error: ApiError) => {
      // The rest of the body is not read: close the connection rather than leave it half-consumed.
      res.setHeader('connection', 'close');
      res.status(status).json({ error });
    };
    if (!isJsonContentType(req.headers['content-type'])) {
      send(415, apiError('unsupported_media_type', `send the body as application/json (UTF-8), not ${req.headers['content-type'] ? truncated(req.headers['content-type'], 100) : 'without a content type'}`, 'content-type'));
      return;
    }
    readRaw(req, res, (err?: unknown) => {
      if (err) {
        const e = err as { status?: number; type?: string; message?: string };
        if (e.type === 'entity.too.large') return send(413, apiError('payload_too_large', `the body is larger than ${options.limitBytes} bytes`));
        if (e.type === 'encoding.unsupported') return send(415, apiError('unsupported_media_type', e.message ?? 'unsupported content encoding', 'content-encoding'));
        if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return send(e.status, apiError('bad_request', e.message ?? 'the body could not be read'));
        return next(err);
      }
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (bytes.length === 0) {
        req.body = undefined;
        return next();
      }
      const parsed = parseJsonBytes(bytes, options.maxDepth);
      if (!parsed.ok) return send(parsed.status, parsed.error);
      req.body = parsed.value;
      next();
    });
  };
}

/** A client's string as it may be echoed back: at most `max` characters, and says when it was cut. */
export function truncated(value: string, max = 128): string {
  if (value.length <= max) return value;
  // Never cut a surrogate pair in half: the echo must stay well-formed.
  const end = /[\uD800-\uDBFF]/.test(value[max - 1] ?? '') ? max - 1 : max;
  return `${value.slice(0, end)}…[${value.length} chars]`;
}
