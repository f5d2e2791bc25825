/**
 * An error the user caused or can fix: `main` prints it as
 * `strangler: message` (the first line is the whole story; further lines
 * are details such as field errors) and exits with `exitCode`.
 */
export class CliError extends Error {
    exitCode;
    constructor(message, exitCode = 1) {
        super(message);
        this.exitCode = exitCode;
        this.name = 'CliError';
    }
}
/** Exit status of a command used wrongly (an unknown flag, a bad value), so that a CI job can tell it from a failed check (1). */
export const USAGE_EXIT = 2;
/** The message is already on stderr (commander printed it): `main` only sets the exit status. */
export class AlreadyReported extends Error {
    exitCode;
    constructor(exitCode) {
        super(`exit ${exitCode}`);
        this.exitCode = exitCode;
        this.name = 'AlreadyReported';
    }
}
//# sourceMappingURL=cli-error.js.map