import type { ProcedureManifest } from '@volley/wire';
import { procedureDocLines, renderJsDoc } from './js-doc.js';
import { RESERVED_MEMBER_NAMES, toPropertyKey } from './naming.js';

/** The exported type names of one procedure's input and output. */
export interface ProcedureTypeNames {
  readonly input: string;
  readonly output: string;
}

/** A namespace of the client: procedures and nested namespaces by their segment of the name. */
interface Namespace {
  readonly procedures: Map<string, ProcedureManifest>;
  readonly namespaces: Map<string, Namespace>;
}

/**
 * The client interface: `ClientMethods` plus one member per top-level segment, nested as the
 * dotted names nest (`kv.get` → `client.kv.get`), each procedure a `ProcedureCaller` documented
 * with its description, deprecation and examples. Members are sorted, so the output is stable.
 */
export function renderClientInterface(
  name: string,
  procedures: readonly ProcedureManifest[],
  types: ReadonlyMap<string, ProcedureTypeNames>,
): string {
  const root = toNamespaceTree(procedures);
  const body = renderMembers(root, types, '  ');
  return `export interface ${name} extends ClientMethods {\n${body}}`;
}

function toNamespaceTree(procedures: readonly ProcedureManifest[]): Namespace {
  const root: Namespace = { procedures: new Map(), namespaces: new Map() };
  for (const procedure of procedures) {
    const segments = procedure.name.split('.');
    if (segments.some((segment) => segment === ''))
      throw new TypeError(`Procedure name "${procedure.name}" has an empty segment`);
    const top = segments[0]!;
    if (RESERVED_MEMBER_NAMES.has(top))
      throw new TypeError(`Procedure name "${procedure.name}" starts with "${top}", which every client reserves`);
    let namespace = root;
    for (const segment of segments.slice(0, -1)) {
      if (namespace.procedures.has(segment))
        throw new TypeError(`"${segment}" in "${procedure.name}" is both a procedure and a namespace`);
      let next = namespace.namespaces.get(segment);
      if (!next) namespace.namespaces.set(segment, (next = { procedures: new Map(), namespaces: new Map() }));
      namespace = next;
    }
    const last = segments.at(-1)!;
    if (namespace.namespaces.has(last)) throw new TypeError(`"${procedure.name}" is both a procedure and a namespace`);
    namespace.procedures.set(last, procedure);
  }
  return root;
}

function renderMembers(namespace: Namespace, types: ReadonlyMap<string, ProcedureTypeNames>, indent: string): string {
  const keys = [...new Set([...namespace.procedures.keys(), ...namespace.namespaces.keys()])].sort(compareCodeUnits);
  let out = '';
  for (const key of keys) {
    const procedure = namespace.procedures.get(key);
    if (procedure) {
      const names = types.get(procedure.name)!;
      out += renderJsDoc(procedureDocLines(procedure), indent);
      // `| undefined` makes the argument optional, as for a procedure the server lets be called bare.
      const input = procedure.inputOptional ? `${names.input} | undefined` : names.input;
      out += `${indent}readonly ${toPropertyKey(key)}: ProcedureCaller<${input}, ${names.output}>;\n`;
    } else {
      const inner = renderMembers(namespace.namespaces.get(key)!, types, `${indent}  `);
      out += `${indent}readonly ${toPropertyKey(key)}: {\n${inner}${indent}};\n`;
    }
  }
  return out;
}

/** Sorts by UTF-16 code units, as `Array.prototype.sort` does: independent of the machine's locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
