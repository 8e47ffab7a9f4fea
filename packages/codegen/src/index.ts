export { generateClientSource } from './generate.js';
export type { GenerateOptions } from './generate.js';
export { loadManifestFromModule } from './load-module.js';
export { loadManifestFromUrl } from './load-manifest.js';
