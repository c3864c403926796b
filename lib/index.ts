export * from './logging-sidecar-pod';
export * from './logging-sidecar';
export * from './log-shipper';
export * from './shippers/cat-loop';
export * from './shippers/stream';
export * from './shippers/custom';
export * from './shippers/fluent-bit/shipper';
export * from './shippers/fluent-bit/output';
