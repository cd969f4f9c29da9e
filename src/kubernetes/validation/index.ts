// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
// The one input-validation layer: every construct validates through these rules and error helpers.
export * from './errors';
export * from './rules';
export * from './labels';
export * from './manifest';
export * from './schema';
export * from './network';
export * from './cron';
export * from './time-zone';
export * from './warnings';
export * from './quantity';
export * from './omit-empty';
export * from './fields';
