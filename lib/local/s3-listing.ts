/**
 * Bucket listings through s3rver, mended: s3rver makes ListObjectsV2 continuation tokens with DES,
 * which OpenSSL 3 no longer has (a listing past 1,000 keys fails), and escapes keys twice, so that
 * the AWS SDK reads `'` as `&#x27;` and `&` as `&amp;`. A listing request is
 * therefore sent to s3rver as a ListObjects (v1) request starting after the key the continuation
 * token names (our token: the key, base64url), and its XML answer is turned back into a v2 answer
 * (`KeyCount`, `ContinuationToken`, `NextContinuationToken`). s3rver escapes text twice (its own
 * escaping, then its XML builder's): keys are unescaped twice and escaped once, as S3 writes them.
 */

/** A listing request rewritten for s3rver, and how to turn its answer back. */
export interface ListingRewrite {
  /** The request target to send to s3rver. */
  url: string;
  /** The answer to send to the client, from s3rver's. */
  answer(xml: string): string;
}

const token = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');
const untoken = (text: string): string => Buffer.from(text, 'base64url').toString('utf8');

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#x([0-9a-fA-F]+)|#(\d+));/g, (_, name: string, hex?: string, dec?: string) =>
    hex ? String.fromCodePoint(parseInt(hex, 16)) : dec ? String.fromCodePoint(Number(dec)) : ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[name]!,
  );
}

function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
}

/** The rewrite of a bucket listing (`GET /<bucket>[/]?...`), or undefined for any other request. */
export function listingRewrite(method: string, url: string): ListingRewrite | undefined {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (method !== 'GET' || !/^\/[^/]+\/?$/.test(path)) return undefined;
  const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  // Other GETs of a bucket (its location, CORS, versioning, ...) pass unchanged.
  for (const k of params.keys()) if (!['list-type', 'prefix', 'delimiter', 'max-keys', 'marker', 'start-after', 'continuation-token', 'fetch-owner', 'encoding-type'].includes(k)) return undefined;
  const v2 = params.get('list-type') === '2';
  const continuation = params.get('continuation-token');
  if (v2) {
    const after = continuation ? untoken(continuation) : params.get('start-after');
    for (const k of ['list-type', 'continuation-token', 'start-after', 'fetch-owner']) params.delete(k);
    if (after) params.set('marker', after);
  }
  const query = params.toString().replace(/\+/g, '%20');
  return {
    url: `${path}${query ? `?${query}` : ''}`,
    answer(xml) {
      // Keys back to plain text (then only &, < and > escaped, as S3 writes them).
      let out = xml.replace(/<(Key|Prefix|Marker|NextMarker|StartAfter)>([^<]*)<\/\1>/g, (_, tag: string, text: string) => `<${tag}>${escapeXml(unescapeXml(unescapeXml(text)))}</${tag}>`);
      if (!v2) return out;
      const keys = [...out.matchAll(/<Contents>[\s\S]*?<Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1]!));
      const truncated = /<IsTruncated>true<\/IsTruncated>/.test(out);
      const extra = `<KeyCount>${keys.length}</KeyCount>${continuation ? `<ContinuationToken>${escapeXml(continuation)}</ContinuationToken>` : ''}${truncated && keys.length ? `<NextContinuationToken>${token(keys[keys.length - 1]!)}</NextContinuationToken>` : ''}`;
      out = out.replace(/<Marker>[^<]*<\/Marker>/, '').replace(/<NextMarker>[^<]*<\/NextMarker>/, '');
      return out.replace(/<\/Prefix>/, `</Prefix>${extra}`);
    },
  };
}
