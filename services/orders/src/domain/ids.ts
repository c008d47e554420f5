/** Identifier helpers shared by the domain modules. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID in its canonical textual form (any version). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
