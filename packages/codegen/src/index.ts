export { generateClientSource } from './generate.js';
export type { GenerateOptions } from './generate.js';
export { loadManifestFromModule, loadRouterFromModule } from './load-module.js';
export { loadManifestFromUrl } from './load-manifest.js';
