/**
 * @internal What the other @volley packages share with @volley/client but users should not build
 * on: no stability promise, any release may change it. Import it as `@volley/client/internal`; the
 * layering check lets only @volley packages (and tests) do so.
 *
 * `createClient` without the public entry point's OpenTelemetry observers (`clientTracing`,
 * `clientMetrics`): the `volley` CLI imports it from here so that its every start does not load
 * `@opentelemetry/api`.
 */
export { DEFAULT_MAX_OUTSTANDING } from './constants.js';
export { createClient } from './create-client.js';
