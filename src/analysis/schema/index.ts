export { loadOwnerSchema } from './load.js';
export { OwnerSchema, type OwnerModel } from './owner-schema.js';
