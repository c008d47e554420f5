/** Checks of request fields that more than one validation makes, each failing with INVALID_ARGUMENT. */
import { invalidArgument } from './errors.js';

/** Asserts value is an integer from min to max; otherwise the error names field and the range. */
export function assertIntegerIn(value: unknown, field: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`${field} must be an integer from ${min} to ${max}`);
  }
}
