import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { TokenGrant } from './auth.js';

const tokenFileSchema = z.record(
  z.string().min(16, 'a token must be at least 16 characters'),
  z.object({ subject: z.string().min(1), scopes: z.array(z.string().min(1)) }),
);

/**
 * Reads the tokens the kv service accepts from a JSON file of `{ "<token>": { subject, scopes } }`,
 * for `requireToken`. A file rather than an environment variable: environment is inherited by
 * child processes and shown by process listings; a file can be readable by the service alone.
 * Throws on a missing or malformed file, naming the path but never a token.
 * @example
 * // tokens.json: { "3f9c…": { "subject": "ci-bot", "scopes": ["read", "write"] } }
 * const tokens = readTokenFile('/etc/volley/kv-tokens.json');
 */
export function readTokenFile(path: string): Map<string, TokenGrant> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new Error(`Cannot read the token file ${path}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // No cause: V8's JSON errors quote the text around the fault, which may be a token.
    throw new Error(`Token file ${path} is not valid JSON`);
  }
  const checked = tokenFileSchema.safeParse(parsed);
  if (!checked.success) {
    // An issue's path starts with the offending token: report only where in the grant it failed.
    const issue = checked.error.issues[0];
    const reason = issue?.code === 'invalid_key' ? issue.issues[0]?.message : issue?.message;
    const where = issue && issue.path.length > 1 ? ` at ${issue.path.slice(1).join('.')}` : '';
    throw new Error(`Token file ${path} is malformed${where}: ${reason ?? 'invalid'}`);
  }
  return new Map(Object.entries(checked.data));
}
