import type { JsonSchema } from '@volley/wire';

/**
 * A JSON Schema as one line of TypeScript-like text, for people reading `volley describe`:
 * `{ key: string, ttlMs?: integer }`. Not a code generator (that is `volley gen`): constraints
 * other than the type are left out, and anything unusual prints as `any`.
 */
export function schemaText(schema: JsonSchema | undefined, depth = 0): string {
  if (schema === undefined) return 'any';
  if (depth > 6) return '…';
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === 'string') return s.$ref.replace(/^#\/(\$defs|definitions)\//, '');
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(union)) return union.map((part) => schemaText(part, depth + 1)).join(' | ');
  if (Array.isArray(s.allOf)) return (s.allOf as JsonSchema[]).map((part) => schemaText(part, depth + 1)).join(' & ');
  if (Array.isArray(s.type)) return s.type.map((type) => schemaText({ ...s, type }, depth + 1)).join(' | ');
  switch (s.type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
      return s.type;
    case 'array':
      if (Array.isArray(s.prefixItems))
        return `[${(s.prefixItems as JsonSchema[]).map((item) => schemaText(item, depth + 1)).join(', ')}]`;
      return `${wrap(schemaText(s.items as JsonSchema | undefined, depth + 1))}[]`;
    case 'object':
      return objectText(s, depth);
    default:
      return 'any';
  }
}

function objectText(s: Record<string, unknown>, depth: number): string {
  const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required ?? []) as string[]);
  const fields = Object.entries(properties).map(
    ([name, value]) => `${name}${required.has(name) ? '' : '?'}: ${schemaText(value, depth + 1)}`,
  );
  if (typeof s.additionalProperties === 'object' && s.additionalProperties !== null) {
    fields.push(`[key: string]: ${schemaText(s.additionalProperties as JsonSchema, depth + 1)}`);
  }
  return fields.length === 0 ? '{}' : `{ ${fields.join(', ')} }`;
}

/** Parenthesises a union before `[]`. */
function wrap(text: string): string {
  return text.includes(' | ') || text.includes(' & ') ? `(${text})` : text;
}
