/**
 * AWS Signature Version 4 as S3 clients sign (the AWS CLI, the SDKs): the canonical request uses
 * the path as sent (S3 does not normalise or double-encode it) and the `x-amz-content-sha256`
 * header in place of the body's hash (`UNSIGNED-PAYLOAD`, a streaming marker, or the hash), so the
 * body need not be read to check the signature. Only the Authorization-header form is taken.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { MAX_CLOCK_SKEW_MS, type LocalCredentials } from './verify-sigv4.ts';

const AUTH = /^AWS4-HMAC-SHA256 +Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/s3\/aws4_request, *SignedHeaders=([a-z0-9;._-]+), *Signature=([0-9a-f]{64})$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
}

/** The canonical query string of a raw query (without `?`). */
function canonicalQuery(raw: string): string {
  if (!raw) return '';
  return raw
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      return [rfc3986(decode(i < 0 ? p : p.slice(0, i))), rfc3986(decode(i < 0 ? '' : p.slice(i + 1)))] as const;
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function hmac(key: Buffer | string, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

/** Why an S3 request is refused, or undefined when it is signed with `credentials`. */
export function s3SignatureProblem(req: { method: string; url: string; headers: IncomingHttpHeaders }, credentials: LocalCredentials, now = Date.now()): string | undefined {
  const authorization = header(req.headers, 'authorization');
  if (!authorization) return 'the request is not signed (presigned URLs are not taken; sign with the Authorization header, as the AWS CLI and SDKs do)';
  const m = AUTH.exec(authorization.trim());
  if (!m) return 'the Authorization header is not an AWS Signature Version 4 header for the s3 service';
  const [, keyId, day, region, signedList, signature] = m as unknown as [string, string, string, string, string, string];
  if (keyId.length !== credentials.accessKeyId.length || !timingSafeEqual(Buffer.from(keyId), Buffer.from(credentials.accessKeyId))) return `the access key id ${JSON.stringify(keyId)} is not this server's`;
  const amzDate = header(req.headers, 'x-amz-date') ?? '';
  const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!d || amzDate.slice(0, 8) !== day) return 'the request has no valid X-Amz-Date header matching its credential scope';
  if (Math.abs(now - Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!)) > MAX_CLOCK_SKEW_MS) return 'the signature has expired (X-Amz-Date is more than 15 minutes from the server\'s time)';
  const signed = signedList.split(';');
  if (!signed.includes('host')) return 'the signed headers must include host';
  const lines: string[] = [];
  for (const name of signed) {
    const value = header(req.headers, name);
    if (value === undefined) return `the signed header ${name} is missing from the request`;
    lines.push(`${name}:${value.trim().replace(/\s+/g, ' ')}\n`);
  }
  const url = req.url;
  const q = url.indexOf('?');
  const canonical = [req.method, q < 0 ? url : url.slice(0, q), canonicalQuery(q < 0 ? '' : url.slice(q + 1)), lines.join(''), signedList, header(req.headers, 'x-amz-content-sha256') ?? 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical, 'utf8').digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), 's3'), 'aws4_request');
  const expected = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return timingSafeEqual(Buffer.from(expected), Buffer.from(signature)) ? undefined : 'the request signature does not match: it was not signed with this server\'s secret access key, or the request was changed';
}
