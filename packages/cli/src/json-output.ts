/**
 * JSON for any value a MessagePack reply can hold: 64-bit integers beyond 2^53 (BigInt) print as
 * exact JSON numbers, bytes as `{"$bytes": "<base64>"}`. Pretty (2-space) for a person at a
 * terminal, one line for a pipe, so `volley call … | jq` sees one document per line.
 */
export function formatJson(value: unknown, pretty: boolean): string {
  const bigints: string[] = [];
  const text = JSON.stringify(
    value === undefined ? null : value,
    // A function, not an arrow: `this[key]` is the value before its toJSON ran, and Buffer's
    // toJSON would otherwise turn bytes into {type: 'Buffer', data: [...]}.
    function (this: Record<string, unknown>, key: string, v: unknown) {
      const raw = this[key];
      if (raw instanceof Uint8Array)
        return { $bytes: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
      if (typeof v === 'bigint') {
        bigints.push(v.toString());
        return `\u0000bigint${bigints.length - 1}\u0000`;
      }
      return v;
    },
    pretty ? 2 : undefined,
  );
  // JSON.stringify cannot write a BigInt; substitute the exact digits for the placeholders.
  return bigints.length === 0
    ? text
    : text.replace(/"\\u0000bigint(\d+)\\u0000"/g, (_m, i: string) => bigints[Number(i)] as string);
}
