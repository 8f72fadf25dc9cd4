/**
 * Secrets of local runs in the local store (the audit table on the embedded DynamoDB-compatible
 * server): one item per secret, `workflow` = `#secret`, `release` = its name, `value` = its JSON
 * text encrypted (AES-256-GCM) with a key that exists only in this process's memory, so a local run
 * takes the same path as on AWS (references in every state, values read by the runner that uses
 * them) and nothing readable reaches the disk: the store's files, and the log of deleted items its
 * database keeps until compaction, hold ciphertext whose key is gone with the process. Every runner
 * of a local run is in the process that started it. A run's secrets are deleted when it ends
 * (`deleteRun`).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { memorySecretStore, type SecretStore } from '../runtime/index.ts';

/** The prefix of local secret names. */
export const LOCAL_SECRETS_PREFIX = '/local/secrets';

const PARTITION = '#secret';

/** This process's key: never written anywhere. */
const KEY = randomBytes(32);

function seal(text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', KEY, iv);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}

/** The text sealed in this process, or undefined (another process's, or not ours). */
function open(sealed: string): string | undefined {
  const [v, iv, tag, body] = sealed.split(':');
  if (v !== 'v1' || !iv || !tag || body === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', KEY, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Secrets in the local store's table; in memory when the run has no store (`--no-audit`). */
export function localSecretStore(store: { client: DynamoDBClient; table: string } | undefined): SecretStore {
  if (!store) return memorySecretStore(LOCAL_SECRETS_PREFIX);
  const { client, table } = store;
  const key = (name: string) => ({ workflow: { S: PARTITION }, release: { S: name } });
  const del = async (names: readonly string[]): Promise<void> => {
    for (const name of names) await client.send(new DeleteItemCommand({ TableName: table, Key: key(name) }));
  };
  return {
    prefix: LOCAL_SECRETS_PREFIX,
    async put(name, text) {
      await client.send(new PutItemCommand({ TableName: table, Item: { ...key(name), value: { S: seal(text) } } }));
    },
    async get(name) {
      const out = await client.send(new GetItemCommand({ TableName: table, Key: key(name), ConsistentRead: true }));
      const sealed = out.Item?.value?.S;
      return sealed === undefined ? undefined : open(sealed);
    },
    delete: del,
    async deleteRun(runId) {
      const out = await client.send(new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'workflow = :p AND begins_with(#r, :run)',
        ExpressionAttributeNames: { '#r': 'release' },
        ExpressionAttributeValues: { ':p': { S: PARTITION }, ':run': { S: `${LOCAL_SECRETS_PREFIX}/${runId}/` } },
      }));
      await del((out.Items ?? []).map((i) => i.release?.S).filter((n): n is string => typeof n === 'string'));
    },
  };
}
