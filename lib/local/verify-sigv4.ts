/**
 * The guards of the local HTTP endpoints (the audit store's server and `wf serve`):
 * - {@link hostProblem} / {@link originProblem}: a browser page must not reach them, whether by a
 *   cross-origin request (an `Origin` header) or by DNS rebinding (a foreign `Host` header);
 * - {@link verifySigV4}: AWS Signature Version 4, as the AWS SDK and the `aws` CLI sign, checked
 *   against the endpoint's own credentials (recomputed with `@smithy/signature-v4`, compared in
 *   constant time);
 * - {@link ensureCredentials}: the random credentials of a local store, kept in a 0600 file.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';

/** An access key pair. */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Why a request was refused: an AWS error name (`__type`) and a message for the caller. */
export interface RequestRefusal {
  type: string;
  message: string;
}

/** How far a request's `X-Amz-Date` may be from the server's clock (AWS allows 15 minutes). */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for a loopback address or name (`127.x.x.x`, `::1`, `localhost`). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Why a `Host` header is not one of this server's own names, or undefined when it is: a loopback
 * name (`127.0.0.1`, `localhost`, `[::1]`) or one of `extraNames`, each with the server's port.
 */
export function hostProblem(host: string | undefined, port: number, extraNames: readonly string[] = []): string | undefined {
  if (host === undefined || host === '') return 'the request has no Host header';
  const names = new Set([...LOOPBACK_NAMES, ...extraNames.map((n) => (n.includes(':') && !n.startsWith('[') ? `[${n}]` : n).toLowerCase())]);
  // A client leaves the port out of Host when it is the scheme's default (80).
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.toLowerCase());
  if (m && names.has(m[1]!) && Number(m[2] ?? 80) === port) return undefined;
  return `the Host header ${JSON.stringify(host)} is not this server's address (expected 127.0.0.1:${port} or localhost:${port}); requests through another host name (DNS rebinding) are refused`;
}

/**
 * Why an `Origin` header is refused, or undefined when there is none or it is one of `allowed`
 * (a same-origin page of the server). Only browsers send `Origin`: the AWS SDK and CLI do not.
 */
export function originProblem(origin: string | undefined, allowed: readonly string[] = []): string | undefined {
  if (origin === undefined) return undefined;
  if (allowed.includes(origin.toLowerCase())) return undefined;
  return `requests from web pages of other origins (Origin: ${JSON.stringify(origin)}) are refused: this local endpoint is only for the AWS SDK, the aws CLI and wf on this machine`;
}

/** One header's value as a string (repeated headers joined as Node joins them). */
function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** A SHA-256 hash / HMAC for `@smithy/signature-v4`, over node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/** Reads a request body up to `limit` bytes; a longer one is drained and reported as undefined. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

/** A request to check: what the server received. */
export interface SignedRequest {
  method: string;
  /** The request target (`/`, `/?a=b`). */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Options of {@link verifySigV4}. */
export interface VerifyOptions {
  credentials: LocalCredentials;
  /** The signing name the clients use: `dynamodb`, `states`. */
  service: string;
  /** Tells the caller what to do when a request is refused (e.g. which credentials to use). */
  hint: string;
  /** The clock. @default Date.now */
  now?: number;
}

const AUTH = /^AWS4-HMAC-SHA256 +Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request, *SignedHeaders=([a-z0-9;._-]+), *Signature=([0-9a-f]{64})$/;

function amzDate(text: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

/**
 * Checks a request's SigV4 `Authorization` header against `options.credentials`: the access key
 * id, the service, the date, and the signature recomputed over the method, path, query, the signed
 * headers (which must include `host` and `x-amz-date`) and the body. Resolves with why the request
 * is refused, or undefined when it is signed by these credentials.
 */
export async function verifySigV4(req: SignedRequest, options: VerifyOptions): Promise<RequestRefusal | undefined> {
  const unrecognized = (why: string): RequestRefusal => ({ type: 'UnrecognizedClientException', message: `${why}. ${options.hint}` });
  const invalid = (why: string): RequestRefusal => ({ type: 'InvalidSignatureException', message: `${why}. ${options.hint}` });
  const authorization = headerValue(req.headers, 'authorization');
  if (!authorization) return unrecognized('the request is not signed (it has no Authorization header); this endpoint takes only AWS Signature Version 4 requests');
  const m = AUTH.exec(authorization.trim());
  if (!m) return unrecognized('the Authorization header is not an AWS Signature Version 4 header (AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...)');
  const [, keyId, day, region, service, signedList, signature] = m as unknown as [string, string, string, string, string, string, string];
  const sameKey = keyId.length === options.credentials.accessKeyId.length && timingSafeEqual(Buffer.from(keyId), Buffer.from(options.credentials.accessKeyId));
  if (!sameKey) return unrecognized(`the access key id ${JSON.stringify(keyId)} is not this endpoint's`);
  if (service !== options.service) return invalid(`the request is signed for the service "${service}", expected "${options.service}"`);
  const date = amzDate(headerValue(req.headers, 'x-amz-date'));
  if (!date) return invalid('the request has no valid X-Amz-Date header (YYYYMMDDTHHMMSSZ)');
  if (headerValue(req.headers, 'x-amz-date')!.slice(0, 8) !== day) return invalid('the date of the credential scope is not the day of X-Amz-Date');
  if (Math.abs((options.now ?? Date.now()) - date.getTime()) > MAX_CLOCK_SKEW_MS) return invalid(`the signature has expired: X-Amz-Date ${headerValue(req.headers, 'x-amz-date')} is more than 15 minutes from the server's time`);
  const signed = signedList.split(';');
  if (!signed.includes('host') || !signed.includes('x-amz-date')) return invalid('the signed headers must include host and x-amz-date');
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = headerValue(req.headers, name);
    if (value === undefined) return invalid(`the signed header ${name} is missing from the request`);
    headers[name] = value;
  }
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  // A payload hash header takes the place of the body in the signature: it must be the body's.
  if (headers['x-amz-content-sha256'] !== undefined && headers['x-amz-content-sha256'] !== bodyHash) return invalid('the x-amz-content-sha256 header is not the hash of the body');
  const url = new URL(req.url, 'http://local');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const signer = new SignatureV4({ credentials: options.credentials, region, service, sha256: Sha256, applyChecksum: false });
  let expected: string | undefined;
  try {
    const out = await signer.sign(
      { method: req.method, protocol: 'http:', hostname: 'local', path: decodeURIComponent(url.pathname), query, headers, body: req.body },
      { signingDate: date, signableHeaders: new Set(signed) },
    );
    expected = /Signature=([0-9a-f]{64})/.exec(String(out.headers.authorization ?? ''))?.[1];
  } catch {
    expected = undefined;
  }
  const ok = expected !== undefined && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
  return ok ? undefined : invalid('the request signature does not match: it was not signed with this endpoint\'s secret access key, or the request was changed');
}

/** Signs a request for a local endpoint (used by the store's own health probe); returns the headers to send. */
export async function signedHeaders(url: string, headers: Record<string, string>, body: string, credentials: LocalCredentials, service: string): Promise<Record<string, string>> {
  const u = new URL(url);
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service, sha256: Sha256 });
  const out = await signer.sign({ method: 'POST', protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: u.pathname, query: {}, headers: { ...headers, host: u.host }, body });
  const { host: _host, ...rest } = out.headers as Record<string, string>;
  return rest;
}

/** The credentials file of a local store's folder. */
export function credentialsFile(dir: string): string {
  return join(dir, 'credentials.json');
}

/** Reads `{accessKeyId, secretAccessKey}` from a file; throws a readable error when it is not such a file. */
export function readCredentials(file: string): LocalCredentials {
  let parsed: Partial<LocalCredentials>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalCredentials>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw err;
    throw new Error(`cannot read the credentials file ${file}: ${err.message}`);
  }
  if (typeof parsed?.accessKeyId !== 'string' || typeof parsed.secretAccessKey !== 'string' || parsed.accessKeyId === '' || parsed.secretAccessKey === '') {
    throw new Error(`the credentials file ${file} must hold {"accessKeyId": "...", "secretAccessKey": "..."}`);
  }
  return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
}

/**
 * The credentials of a local store's folder: read from `<dir>/credentials.json`, or made (random)
 * and written there with mode 0600 when there is none. Several processes may call this at once:
 * each writes a file of its own and links it into place, and the ones that lose read the winner's.
 */
export function ensureCredentials(dir: string, options: { createDir?: boolean } = {}): LocalCredentials {
  const file = credentialsFile(dir);
  if (options.createDir) mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    return readCredentials(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const made: LocalCredentials = { accessKeyId: `WFLOCAL${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64url') };
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(made)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600);
    try {
      linkSync(tmp, file);
      return made;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      return readCredentials(file);
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}
