import { createCodec, type Envelope, KIND, type RequestMeta, type ResponseEnvelope } from '@volley/wire';

const codec = createCodec();

/** Encodes any value with the wire settings: raw envelopes of the wrong shape start here. */
export function encodeValue(value: unknown): Buffer {
  return codec.encodeValue(value);
}

/** Encodes a well-formed request envelope. */
export function encodeRequest(id: number, method: string, input?: unknown, meta?: RequestMeta): Buffer {
  return codec.encode(
    meta === undefined ? { kind: KIND.request, id, method, input } : { kind: KIND.request, id, method, input, meta },
  );
}

/** Decodes bytes from the server, which must be one well-formed envelope. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const decoded = codec.decode(bytes);
  if (!decoded.ok) throw new Error(`Server sent undecodable bytes: ${decoded.error.error.message}`);
  return decoded.value;
}

/** Decodes bytes from the server, which must be a response envelope. */
export function decodeResponse(bytes: Uint8Array): ResponseEnvelope {
  const envelope = decodeEnvelope(bytes);
  if (envelope.kind !== KIND.response) throw new Error(`Expected a response, got envelope kind ${envelope.kind}`);
  return envelope;
}
