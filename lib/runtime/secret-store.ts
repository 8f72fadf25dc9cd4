/**
 * Where secret values are kept while a run needs them (see lib/protocol/secret-refs.ts): AWS
 * Systems Manager Parameter Store SecureStrings on AWS (standard tier: no storage charge, the
 * `aws/ssm` key), the local store's table locally (lib/local/local-secret-store.ts), or memory for a
 * run without a store. Names are `<prefix>/<run id>/<param>`; values are stored as JSON text.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';

/** A place to keep a run's secret values. */
export interface SecretStore {
  /** The prefix of the names this store writes (`/<app>/secrets` on AWS). */
  readonly prefix: string;
  put(name: string, text: string): Promise<void>;
  /** The stored text, or undefined when there is none. */
  get(name: string): Promise<string | undefined>;
  delete(names: readonly string[]): Promise<void>;
  /** Deletes every secret of a run (`<prefix>/<run id>/…`). */
  deleteRun(runId: string): Promise<void>;
  /**
   * The text of a parameter a secret param's default names (`default: {ssm: /prod/db}`), read
   * when a run starts; absent where no such parameter can be read (locally).
   */
  readNamed?(name: string): Promise<string | undefined>;
}

/** SecureString parameters hold at most 4 KB in the standard tier. */
export const MAX_SECRET_BYTES = 4096;

let ssmModule: Promise<typeof import('@aws-sdk/client-ssm')> | undefined;
const ssm = (): Promise<typeof import('@aws-sdk/client-ssm')> => (ssmModule ??= import('@aws-sdk/client-ssm'));

/** Secrets as SecureString parameters of AWS Systems Manager Parameter Store. */
export function awsSecretStore(prefix: string, client?: SSMClient): SecretStore {
  let c = client;
  const get = async () => {
    const m = await ssm();
    c ??= new m.SSMClient({});
    return { m, c };
  };
  return {
    prefix,
    async put(name, text) {
      const { m, c } = await get();
      await c.send(new m.PutParameterCommand({ Name: name, Value: text, Type: 'SecureString', Tier: 'Standard', Overwrite: true }));
    },
    async get(name) {
      const { m, c } = await get();
      try {
        const out = await c.send(new m.GetParameterCommand({ Name: name, WithDecryption: true }));
        return out.Parameter?.Value;
      } catch (e) {
        if ((e as { name?: string }).name === 'ParameterNotFound') return undefined;
        throw e;
      }
    },
    async delete(names) {
      const { m, c } = await get();
      for (let i = 0; i < names.length; i += 10) await c.send(new m.DeleteParametersCommand({ Names: names.slice(i, i + 10) }));
    },
    async readNamed(name) {
      return this.get(name);
    },
    async deleteRun(runId) {
      const { m, c } = await get();
      const names: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await c.send(new m.GetParametersByPathCommand({ Path: `${prefix.replace(/\/+$/, '')}/${runId}`, Recursive: true, WithDecryption: false, NextToken }));
        names.push(...(page.Parameters ?? []).map((p) => p.Name).filter((n): n is string => typeof n === 'string'));
        NextToken = page.NextToken;
      } while (NextToken);
      await this.delete(names);
    },
  };
}

/** Secrets kept in this process's memory (a local run without a store). */
export function memorySecretStore(prefix: string): SecretStore {
  const values = new Map<string, string>();
  return {
    async deleteRun(runId) {
      for (const n of [...values.keys()]) if (n.startsWith(`${prefix.replace(/\/+$/, '')}/${runId}/`)) values.delete(n);
    },
    prefix,
    async put(name, text) {
      values.set(name, text);
    },
    async get(name) {
      return values.get(name);
    },
    async delete(names) {
      for (const n of names) values.delete(n);
    },
  };
}
