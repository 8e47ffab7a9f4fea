import type { JsonSchema } from '@volley/wire';

/** A schema ready for json-schema-to-typescript: only keywords that shape a TypeScript type. */
export type CleanSchema = { [keyword: string]: unknown };

/** Options for {@link cleanSchema}. */
export interface CleanSchemaOptions {
  /** Where the schema comes from, for error messages (`input of kv.get`). */
  where: string;
  /** Names the type of the root `$defs` entry `key`; called once per entry, in sorted key order. */
  nameDef(key: string): string;
}

// Keywords copied, by how their value is read. Everything else is dropped: validation-only
// keywords (`minLength`, `format`, …) change no type, `$schema`/`$id`/`title` would make
// json-schema-to-typescript declare extra named types (clashing across procedures), and its own
// extensions (`tsType`, `tsEnumNames`) would let a manifest inject arbitrary code into the stub.
const SUBSCHEMA = ['items', 'additionalProperties'];
const SUBSCHEMA_LIST = ['anyOf', 'oneOf', 'allOf'];
const SUBSCHEMA_MAP = ['properties', 'patternProperties'];
const DOC_ONLY = new Set(['description', 'deprecated']);

/**
 * Turns a zod 4 JSON Schema (draft 2020-12) into the subset json-schema-to-typescript types well:
 * `prefixItems` tuples become draft-04 `items` arrays, `{ not: {} }` becomes `never`, array length
 * bounds are kept only on tuples (on plain arrays they would become a union of tuples), and the
 * root `$defs` are renamed with {@link CleanSchemaOptions.nameDef} so that no two procedures'
 * definitions (zod names unnamed ones `__schema0` in every schema) share a type name. Only local
 * `$ref`s are accepted: a manifest from the network must not make the generator read files or URLs.
 */
export function cleanSchema(schema: JsonSchema, options: CleanSchemaOptions): CleanSchema {
  const defs = (schema.$defs ?? schema.definitions) as unknown;
  const renamed = new Map<string, string>();
  const out: CleanSchema = {};
  if (isRecord(defs)) {
    for (const key of Object.keys(defs).sort()) renamed.set(key, options.nameDef(key));
    const cleaned = [...renamed].map(([key, name]) => [name, cleanNode(defs[key], options.where, renamed)] as const);
    out.$defs = Object.fromEntries(cleaned);
  }
  return { ...cleanNode(schema, options.where, renamed), ...out };
}

function cleanNode(node: unknown, where: string, defs: ReadonlyMap<string, string>): CleanSchema {
  if (node === true) return {};
  if (node === false || (isRecord(node) && isRecord(node.not) && Object.keys(node.not).length === 0))
    return { tsType: 'never' };
  if (!isRecord(node))
    throw new TypeError(`${where}: a schema must be an object or a boolean, got ${JSON.stringify(node)}`);
  const out: CleanSchema = {};
  const sub = (value: unknown) => (typeof value === 'boolean' ? value : cleanNode(value, where, defs));
  if (node.$ref !== undefined) out.$ref = toLocalRef(node.$ref, where, defs);
  if (node.type !== undefined) out.type = checked(node.type, isTypeKeyword, where, 'type');
  if (node.required !== undefined) out.required = checked(node.required, isStringArray, where, 'required');
  if (node.enum !== undefined) out.enum = checked(node.enum, Array.isArray, where, 'enum');
  if (node.const !== undefined) out.const = node.const;
  if (typeof node.description === 'string') out.description = node.description;
  if (node.deprecated === true) out.deprecated = true;
  for (const keyword of SUBSCHEMA) if (node[keyword] !== undefined) out[keyword] = sub(node[keyword]);
  for (const keyword of SUBSCHEMA_LIST) {
    if (node[keyword] !== undefined) out[keyword] = checked(node[keyword], Array.isArray, where, keyword).map(sub);
  }
  for (const keyword of SUBSCHEMA_MAP) {
    const map = node[keyword];
    if (map === undefined) continue;
    // fromEntries defines own properties, so a property named `__proto__` stays a property.
    out[keyword] = Object.fromEntries(
      Object.entries(checked(map, isRecord, where, keyword)).map(([key, value]) => [
        key,
        cleanNode(value, where, defs),
      ]),
    );
  }
  if (node.prefixItems !== undefined) {
    // Draft 2020-12 tuple → draft-04 tuple; `items` then means "the elements after the prefix".
    out.items = checked(node.prefixItems, Array.isArray, where, 'prefixItems').map(sub);
    out.additionalItems = node.items === undefined ? true : sub(node.items);
    if (typeof node.minItems === 'number') out.minItems = node.minItems;
    if (typeof node.maxItems === 'number') out.maxItems = node.maxItems;
  }
  // Nothing left but a description (zod's `{}` for a bigint or a date, described): say `unknown`
  // outright, or json-schema-to-typescript makes it an object with an index signature.
  if (!Object.keys(out).some((keyword) => !DOC_ONLY.has(keyword))) out.tsType = 'unknown';
  return out;
}

/** `#/$defs/<key>` → the renamed definition; other local pointers unchanged; anything else refused. */
function toLocalRef(ref: unknown, where: string, defs: ReadonlyMap<string, string>): string {
  if (typeof ref !== 'string' || !ref.startsWith('#')) {
    throw new TypeError(`${where}: only local $ref ("#…") can be generated, got ${JSON.stringify(ref)}`);
  }
  const match = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref);
  if (!match) return ref;
  const name = defs.get(decodePointerSegment(match[1]!));
  if (name === undefined) throw new TypeError(`${where}: $ref ${JSON.stringify(ref)} names no entry of the root $defs`);
  return `#/$defs/${name}`;
}

/** RFC 6901 segment inside a URI fragment: percent-decoding, then `~1` → `/` and `~0` → `~`. */
function decodePointerSegment(segment: string): string {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // Not percent-encoded after all: use the segment as written.
  }
  return decoded.replace(/~1/g, '/').replace(/~0/g, '~');
}

function checked<T>(value: unknown, test: (value: unknown) => value is T, where: string, keyword: string): T {
  if (!test(value)) throw new TypeError(`${where}: malformed "${keyword}": ${JSON.stringify(value)}`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isTypeKeyword(value: unknown): value is string | string[] {
  return typeof value === 'string' || isStringArray(value);
}
