// The console's API: the generated endpoints and hooks (generated.ts), nothing
// hand-written on top but the base (base.ts).
export * from './generated';
export { baseApi } from './base';
