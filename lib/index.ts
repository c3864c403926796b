export * from './logging-sidecar-pod';
export * from './logging-sidecar';
export * from './log-shipper';
export * from './fluent-bit-output';
