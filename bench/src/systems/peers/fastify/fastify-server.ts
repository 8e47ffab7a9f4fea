import Fastify from 'fastify';
import type { AddInput, EchoInput, RunningServer } from '../../system.js';
import { toBoundPort } from '../host-port.js';

/**
 * The plain-JSON-over-HTTP peer's server: fastify 5 with `POST /add` and `POST /echo`, each route
 * with a JSON schema for its body (validated by ajv) and its 200 reply (serialised by
 * fast-json-stringify), as fastify users declare routes. Logger off, so it logs nothing.
 */
const addSchema = {
  body: {
    type: 'object',
    required: ['a', 'b'],
    properties: { a: { type: 'number' }, b: { type: 'number' } },
  },
  response: { 200: { type: 'object', properties: { sum: { type: 'number' } } } },
} as const;

const echoSchema = {
  body: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
  response: { 200: { type: 'object', properties: { message: { type: 'string' } } } },
} as const;

export async function startServer(options: { host: string }): Promise<RunningServer> {
  const app = Fastify({ logger: false });
  app.post<{ Body: AddInput }>('/add', { schema: addSchema }, async (request) => ({
    sum: request.body.a + request.body.b,
  }));
  app.post<{ Body: EchoInput }>('/echo', { schema: echoSchema }, async (request) => ({
    message: request.body.message,
  }));
  await app.listen({ host: options.host, port: 0 });
  return {
    address: { host: options.host, port: toBoundPort(app.server.address()) },
    // fastify 5 closes idle keep-alive connections on close (forceCloseConnections: 'idle').
    close: () => app.close(),
  };
}
