import { PROTOCOL_VERSION, type ServiceManifest } from '@volley/wire';

/**
 * Checks that `value` has the shape of a `$describe` answer, enough for the generator to trust
 * its fields; `from` names where it came from in the error (`udp://host:4000`). Schemas are only
 * checked to be objects here; the generator checks their keywords as it reads them.
 */
export function assertServiceManifest(value: unknown, from: string): asserts value is ServiceManifest {
  const fail = (why: string): never => {
    throw new TypeError(`${from} did not answer with a Volley service manifest: ${why}`);
  };
  if (!isRecord(value)) return fail(`got ${describeValue(value)}`);
  if (value.protocol !== PROTOCOL_VERSION) {
    return fail(`protocol ${JSON.stringify(value.protocol)}, and this generator speaks protocol ${PROTOCOL_VERSION}`);
  }
  if (value.service !== undefined && !isRecord(value.service)) fail('"service" is not an object');
  if (!Array.isArray(value.procedures)) return fail('"procedures" is not an array');
  const seen = new Set<string>();
  for (const [index, procedure] of value.procedures.entries()) {
    if (!isRecord(procedure) || typeof procedure.name !== 'string') return fail(`procedure #${index} has no name`);
    const where = `procedure "${procedure.name}"`;
    if (seen.has(procedure.name)) fail(`${where} is listed twice`);
    seen.add(procedure.name);
    if (typeof procedure.idempotent !== 'boolean') fail(`${where}: "idempotent" is not a boolean`);
    for (const key of ['input', 'output'] as const) {
      if (procedure[key] !== undefined && !isRecord(procedure[key]))
        fail(`${where}: "${key}" is not a JSON Schema object`);
    }
    if (procedure.inputOptional !== undefined && procedure.inputOptional !== true)
      fail(`${where}: "inputOptional" is not true`);
    for (const key of ['description', 'deprecated'] as const) {
      const text = procedure[key];
      if (text !== undefined && typeof text !== 'string' && !(key === 'deprecated' && text === true))
        fail(`${where}: "${key}" is not text`);
    }
    const { examples } = procedure;
    if (
      examples !== undefined &&
      !(
        Array.isArray(examples) &&
        examples.every((e) => isRecord(e) && (e.title === undefined || typeof e.title === 'string'))
      )
    ) {
      fail(`${where}: "examples" is not a list of { title?, input?, output? }`);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
