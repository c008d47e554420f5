/** The one error startLab rejects with besides PortInUseError: what failed, and why in its log's tail. */

/** Thrown when the lab cannot start; `message` says what to do, `logTail` shows why. */
export class LabStartError extends Error {
  constructor(
    message: string,
    readonly service?: string,
    readonly logTail: string[] = [],
  ) {
    super(message);
    this.name = 'LabStartError';
  }
}
