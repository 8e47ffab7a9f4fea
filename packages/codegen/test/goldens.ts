/**
 * The golden stubs: each is generated from a router module and committed, and a test regenerates
 * them and compares bytes. Paths are relative to the repository root, as written in the header.
 * No `name` option: a golden is what `volley gen <module> --export <name>` prints, run from the root.
 */
export interface Golden {
  /** The committed stub, from the repository root. */
  readonly file: string;
  /** The router module, from the repository root; also the header's source line. */
  readonly module: string;
  readonly exportName: string;
}

export const GOLDENS: readonly Golden[] = [
  {
    file: 'packages/codegen/golden/app-client.ts',
    module: 'services/app/src/app-router.ts',
    exportName: 'createAppRouter',
  },
  {
    file: 'packages/codegen/golden/fixture-client.ts',
    module: 'packages/codegen/test/fixture-router.ts',
    exportName: 'fixtureRouter',
  },
];

/** What to run when a golden is stale. */
export const REGENERATE_COMMAND = 'npm run gen:golden -w @volley/codegen';
