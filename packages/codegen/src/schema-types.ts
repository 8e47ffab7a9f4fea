import type { JsonSchema } from '@volley/wire';
import { compile, type Options } from 'json-schema-to-typescript';
import { cleanSchema } from './clean-schema.js';
import { type NameAllocator, toPascalCase } from './naming.js';

/** What a procedure's missing schema means: no input is `undefined`, no output is any value. */
export type MissingSchemaType = 'undefined' | 'unknown';

/** Options for {@link toSchemaTypes}. */
export interface SchemaTypesOptions {
  /** The exported name of the root type (`KvGetInput`), already allocated. */
  name: string;
  /** Type used when there is no schema. */
  missing: MissingSchemaType;
  /** Where the schema comes from, for error messages (`input of kv.get`). */
  where: string;
  /** Names of the whole file; `$defs` types are allocated here as `<name><Def>`. */
  names: NameAllocator;
}

// Fixed so the stub does not depend on the machine or a prettier config found on disk.
const COMPILE_OPTIONS: Partial<Options> = {
  bannerComment: '',
  // zod omits `additionalProperties` on input objects (they strip unknown keys): no index signature.
  additionalProperties: false,
  unknownAny: true,
  declareExternallyReferenced: true,
  unreachableDefinitions: false,
  // Tuples keep their bounds (optional elements); plain arrays lost theirs in cleanSchema.
  ignoreMinAndMaxItems: false,
  strictIndexSignatures: false,
  enableConstEnums: false,
  format: true,
  style: { singleQuote: true, printWidth: 100, trailingComma: 'all', semi: true, tabWidth: 2, useTabs: false },
  // Defence in depth: cleanSchema already refuses every `$ref` that is not local.
  $refOptions: { resolve: { external: false } },
};

const DECLARATION = /^export (?:declare )?(?:interface|type|enum|const enum) ([A-Za-z_$][\w$]*)/gm;

/**
 * The TypeScript declarations for one schema: an exported type `name`, plus one exported type per
 * `$defs` entry that it reaches (named `<name><Def>`, so recursive types stay named). Throws if the
 * schema uses a `$ref` that is not local, or if the compiler declared a name another type holds.
 */
export async function toSchemaTypes(schema: JsonSchema | undefined, options: SchemaTypesOptions): Promise<string> {
  const { name, names, where } = options;
  if (schema === undefined) return `export type ${name} = ${options.missing};`;
  const defNames = new Set<string>();
  const cleaned = cleanSchema(schema, {
    where,
    nameDef: (key) => {
      const defName = names.allocate(`${name}${toPascalCase(key)}`);
      defNames.add(defName);
      return defName;
    },
  });
  const source = await compile(cleaned as Parameters<typeof compile>[0], name, COMPILE_OPTIONS);
  const declared = [...source.matchAll(DECLARATION)].map((match) => match[1]!);
  if (!declared.includes(name))
    throw new Error(`${where}: the type compiler did not declare ${name} (declared: ${declared.join(', ')})`);
  for (const other of declared) {
    if (other === name || defNames.has(other)) continue;
    // json-schema-to-typescript names some cyclic subschemas itself, after their closest named parent.
    if (names.has(other))
      throw new Error(`${where}: the type compiler declared ${other}, a name already used in this file`);
    names.reserve(other);
  }
  // One blank line between declarations, as in the rest of the file.
  return source.trim().replace(/^([;}])\n(?=export |\/\*\*)/gm, '$1\n\n');
}
