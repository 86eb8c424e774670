export { loadConfig, CONFIG_FILE, PACKAGE_JSON_KEY, type LoadConfigOptions } from './load.js';
export { matchPublicRoute } from './public-routes.js';
export { configSchema, HTTP_METHODS } from './schema.js';
