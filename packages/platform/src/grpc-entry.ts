/** @orderlab/platform/grpc — gRPC: errors and metadata, the one unary client call, the call context and RPC metrics. */
export * from './grpc.js';
export * from './grpc-client.js';
export * from './call-context.js';
export * from './grpc-metrics.js';
