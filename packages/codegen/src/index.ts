export type { GenerateOptions } from './generate.js';
export { generateClientSource } from './generate.js';
export { loadManifestFromUrl } from './load-manifest.js';
export { loadManifestFromModule, loadRouterFromModule } from './load-module.js';
