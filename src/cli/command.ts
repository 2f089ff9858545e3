export interface Command {
  name: string;
  /** One line for `mesostp --help`. */
  summary: string;
  /** Full text for `mesostp <name> --help`. */
  help: string;
  /** Returns the process exit code. */
  run(args: string[]): Promise<number>;
}
