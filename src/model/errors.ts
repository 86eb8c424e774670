/** Bad command-line usage or a path that does not exist. Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A config file that cannot be read or does not validate. Exit code 2; the message names file and field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly file: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
