/**
 * An error the user caused or can fix: `main` prints it as
 * `strangler: message` (the first line is the whole story; further lines
 * are details such as field errors) and exits with `exitCode`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
