export * from './logging-sidecar-pod';
export { shellQuote } from './shell';
