import { type JsonSchema, PROTOCOL_VERSION, type ProcedureManifest, type ServiceManifest } from '@volley/wire';
import { z } from 'zod';
import type { ProcedureDef } from './procedure.js';
import { type AnyRouter, flattenRouter } from './router.js';

/** Name and version a server reports in its manifest. */
export interface ServiceInfo {
  name?: string;
  version?: string;
}

/**
 * The manifest `$describe` answers with, built from a router: every procedure with its flags and
 * its input and output as JSON Schema from zod 4's own `z.toJSONSchema`. Input is described as
 * callers send it (`io: 'input'`: before transforms and defaults) and output as callers receive it.
 * Built once per server; the same function serves `volley gen` from a router module, so a stub
 * generated from source and one generated from a live service are the same file.
 */
export function describeRouter(root: AnyRouter, service?: ServiceInfo): ServiceManifest {
  const procedures = [...flattenRouter(root)].map(([name, procedure]) => describeProcedure(name, procedure._def));
  procedures.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const info = service && {
    ...(service.name !== undefined && { name: service.name }),
    ...(service.version !== undefined && { version: service.version }),
  };
  return { protocol: PROTOCOL_VERSION, ...(info && Object.keys(info).length > 0 && { service: info }), procedures };
}

function describeProcedure(name: string, def: ProcedureDef): ProcedureManifest {
  return {
    name,
    ...(def.description !== undefined && { description: def.description }),
    ...(def.input && { input: toJsonSchema(def.input, 'input') }),
    ...(def.input && acceptsNoInput(def.input) && { inputOptional: true as const }),
    ...(def.output && { output: toJsonSchema(def.output, 'output') }),
    idempotent: def.idempotent,
    ...(def.deprecated !== undefined && { deprecated: def.deprecated }),
    ...(def.maxInputBytes !== undefined && { maxInputBytes: def.maxInputBytes }),
    ...(def.examples.length > 0 && { examples: def.examples }),
  };
}

/**
 * A schema as JSON Schema. Types JSON Schema cannot express (bigint, Date, Uint8Array, custom
 * checks) become `{}` ("any value") rather than an exception: reflection must describe every
 * service, and such a field is still validated by the server.
 */
function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', cycles: 'ref', reused: 'inline' }) as JsonSchema;
}

/**
 * True when calling with no input passes validation (`.optional()`, `.default(…)`). Checked by
 * running the schema on `undefined` once, at describe time; an async schema counts as required.
 */
function acceptsNoInput(schema: z.ZodType): boolean {
  try {
    const result = schema['~standard'].validate(undefined);
    return !(result instanceof Promise) && result.issues === undefined;
  } catch {
    return false;
  }
}
