import type { ProcedureManifest, ServiceManifest } from '@volley/wire';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { generateClientSource } from './generate.js';

function manifestOf(...procedures: ProcedureManifest[]): ServiceManifest {
  return { protocol: 1, procedures };
}

const generate = (manifest: ServiceManifest, name?: string) =>
  generateClientSource(manifest, { source: 'test', ...(name !== undefined && { name }) });

/** Names the file declares, in order. */
function declaredNames(source: string): string[] {
  return [...source.matchAll(/^export (?:interface|type|const|function) (\w+)/gm)].map((match) => match[1]!);
}

/** Every identifier in the code (comments excluded); fails the test if the source does not parse. */
function identifiersOf(source: string): string[] {
  const { diagnostics = [] } = ts.transpileModule(source, {
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022 },
  });
  expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  const file = ts.createSourceFile('stub.ts', source, ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) names.push(node.text);
    node.forEachChild(visit);
  };
  visit(file);
  return names;
}

const recursive = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'array',
  items: { $ref: '#/$defs/__schema0' },
  $defs: {
    __schema0: { type: 'object', properties: { next: { $ref: '#/$defs/__schema0' } }, required: [], title: 'Node' },
  },
};

describe('generateClientSource', () => {
  it('gives each procedure its own $defs types, so the same def name in two procedures does not clash', async () => {
    const source = await generate(
      manifestOf(
        { name: 'a', input: recursive, idempotent: false },
        { name: 'b', input: recursive, idempotent: false },
      ),
    );
    expect(declaredNames(source)).toEqual([
      'AInput',
      'AInputSchema0',
      'AOutput',
      'BInput',
      'BInputSchema0',
      'BOutput',
      'procedures',
      'ServiceClient',
      'createServiceClient',
    ]);
    expect(source).toContain('export interface AInputSchema0 {\n  next?: AInputSchema0;\n}');
  });

  it('numbers the types of procedures whose names make the same PascalCase', async () => {
    const source = await generate(
      manifestOf({ name: 'user-profile.get', idempotent: true }, { name: 'userProfile.get', idempotent: true }),
    );
    expect(declaredNames(source).slice(0, 4)).toEqual([
      'UserProfileGetInput',
      'UserProfileGetOutput',
      'UserProfileGetInput2',
      'UserProfileGetOutput2',
    ]);
    expect(source).toContain(
      "readonly 'user-profile': {\n    readonly get: ProcedureCaller<UserProfileGetInput, UserProfileGetOutput>;",
    );
  });

  it('keeps generated types off the names the file imports or declares', async () => {
    const source = await generate(
      manifestOf({ name: 'procedure.caller', input: { type: 'object', $defs: { x: {} } }, idempotent: true }),
      'ProcedureCallerInputX',
    );
    expect(declaredNames(source)).toEqual([
      'ProcedureCallerInput',
      'ProcedureCallerOutput',
      'procedures',
      'ProcedureCallerInputXClient',
      'createProcedureCallerInputXClient',
    ]);
  });

  it('drops $schema, titles and json-schema-to-typescript extensions that would inject code', async () => {
    const input = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'Sneaky',
      type: 'object',
      properties: { a: { tsType: 'string; }; process.exit(1); type X = {', type: 'number' } },
      required: ['a'],
    };
    const source = await generate(manifestOf({ name: 'x', input, idempotent: false }));
    expect(source).not.toMatch(/\$schema|Sneaky|process\.exit|json-schema\.org/);
    expect(source).toContain('export interface XInput {\n  a: number;\n}');
  });

  it('types a missing input as undefined, a missing output and an unrepresentable value as unknown', async () => {
    const source = await generate(
      manifestOf(
        { name: 'x', output: { type: 'object', properties: { big: {} }, required: ['big'] }, idempotent: false },
        { name: 'y', idempotent: false },
      ),
    );
    expect(source).toContain('export type XInput = undefined;');
    expect(source).toContain('export interface XOutput {\n  big: unknown;\n}');
    expect(source).toContain('export type YOutput = unknown;');
  });

  it('turns 2020-12 tuples into TypeScript tuples and keeps plain arrays plain despite length bounds', async () => {
    const output = {
      type: 'object',
      properties: {
        pair: {
          type: 'array',
          prefixItems: [{ type: 'string' }, { type: 'number' }],
          items: false,
          minItems: 2,
          maxItems: 2,
        },
        list: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
      },
      required: ['pair', 'list'],
    };
    const source = await generate(manifestOf({ name: 'x', output, idempotent: false }));
    expect(source).toMatch(/^ {2}pair: \[string, number\];$/m);
    expect(source).toContain('  list: string[];');
  });

  it('refuses a $ref that is not local, so a manifest cannot make the generator read files or URLs', async () => {
    const input = { type: 'object', properties: { a: { $ref: 'file:///etc/passwd' } } };
    await expect(generate(manifestOf({ name: 'x', input, idempotent: false }))).rejects.toThrow(
      'input of x: only local $ref ("#…") can be generated, got "file:///etc/passwd"',
    );
  });

  it('keeps untrusted text inside its comments and strings', async () => {
    const evil = 'a */ process.exit(1); /*\nb';
    const manifest: ServiceManifest = {
      protocol: 1,
      service: { name: 'evil\nname', version: '1 */' },
      procedures: [
        {
          name: 'x',
          description: evil,
          deprecated: evil,
          examples: [{ title: evil, input: { s: '*/' } }],
          idempotent: false,
        },
      ],
    };
    const source = await generateClientSource(manifest, { source: 'udp://h:1\nprocess.exit(1)' });
    // Everything evil stayed in comments: the code itself never mentions `process`.
    expect(identifiersOf(source)).not.toContain('process');
    expect(source).toContain(' * Source: udp://h:1 process.exit(1)\n');
    expect(source).toContain('await client.x({ "s": "*\\/" });');
    expect(source).toContain('export interface EvilNameClient extends ClientMethods');
  });

  it('refuses names a client reserves and a name that is both a procedure and a namespace', async () => {
    await expect(generate(manifestOf({ name: 'close', idempotent: false }))).rejects.toThrow(
      'starts with "close", which every client reserves',
    );
    await expect(
      generate(manifestOf({ name: 'a', idempotent: false }, { name: 'a.b', idempotent: false })),
    ).rejects.toThrow('"a" in "a.b" is both a procedure and a namespace');
    await expect(generate(manifestOf({ name: 'a..b', idempotent: false }))).rejects.toThrow('has an empty segment');
  });

  it('refuses what is not a manifest, naming the source', async () => {
    await expect(generateClientSource({ protocol: 2, procedures: [] }, { source: 'udp://h:1' })).rejects.toThrow(
      'udp://h:1 did not answer with a Volley service manifest: protocol 2',
    );
    const twice = manifestOf({ name: 'a', idempotent: false }, { name: 'a', idempotent: false });
    await expect(generate(twice)).rejects.toThrow('procedure "a" is listed twice');
  });

  it('gives the same bytes whatever the order of procedures, and names the client after the service', async () => {
    const a: ProcedureManifest = { name: 'a.x', idempotent: true };
    const b: ProcedureManifest = { name: 'b', input: { type: 'string' }, idempotent: false };
    const forward = await generateClientSource(
      { protocol: 1, service: { name: 'inventory', version: '2.0.0' }, procedures: [a, b] },
      { source: 's' },
    );
    const backward = await generateClientSource(
      { protocol: 1, service: { name: 'inventory', version: '2.0.0' }, procedures: [b, a] },
      { source: 's' },
    );
    expect(forward).toBe(backward);
    expect(forward).toContain(' * Service: inventory 2.0.0\n');
    expect(forward).toContain(
      'export function createInventoryClient(target: string | readonly string[], options: ClientOptions = {}): InventoryClient {',
    );
  });

  it('imports no ProcedureCaller for a service without procedures', async () => {
    const source = await generate(manifestOf());
    expect(source).toContain("import { type ClientMethods, type ClientOptions, createClient } from '@volley/client';");
    expect(source).toContain('export interface ServiceClient extends ClientMethods {\n}');
  });
});
