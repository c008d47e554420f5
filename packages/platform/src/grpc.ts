/** gRPC conventions: stable error codes in trailing metadata, request ids from metadata. */
import { Metadata, type ServiceError, type status as Status } from '@grpc/grpc-js';
import { ERROR_CODE_METADATA_KEY } from '@orderlab/contracts/headers';
import { requestIdFrom, REQUEST_ID_HEADER } from './request-id.js';

/** A ServiceError to pass to a unary callback: status, a client-safe message and a stable code. */
export function grpcError(status: Status, code: string, message: string): ServiceError {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, code);
  return Object.assign(new Error(message), { code: status, details: message, metadata });
}

/** The stable code a server attached to err, if any. */
export function errorCodeOf(err: unknown): string | undefined {
  const metadata = (err as Partial<ServiceError> | undefined)?.metadata;
  if (!(metadata instanceof Metadata)) return undefined;
  const value = metadata.get(ERROR_CODE_METADATA_KEY)[0];
  return typeof value === 'string' ? value : undefined;
}

/** True when err is a grpc-js ServiceError. */
export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && 'metadata' in err;
}

/** The caller's sane x-request-id, or a new one. */
export function requestIdFromMetadata(metadata: Metadata): string {
  return requestIdFrom(metadata.get(REQUEST_ID_HEADER)[0]);
}

/** Reads one string metadata value. */
export function metadataValue(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
