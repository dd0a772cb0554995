/** The step did not get a usable input; the state machine fails with this error name. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInput';
}
