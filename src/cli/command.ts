// What every subcommand provides. main.ts dispatches on COMMANDS
// (commands.ts); adding a command is one entry there.

export interface CliIo {
  /** Write to standard output (text as is, no newline added). */
  stdout(text: string): void;
  /** Write to standard error. */
  stderr(text: string): void;
  /** Read all of standard input (for "-" as a file name), at most max bytes
   *  (null: there was more); absent in tests that do not provide one. */
  readStdin?(max: number): Promise<string | null>;
  /** Where a progress bar may draw: present only when stderr is a terminal. */
  progress?: { write(text: string): void; columns: number } | null;
}

export interface Command {
  readonly name: string;
  /** One line for the global --help. */
  readonly summary: string;
  /** Full text of `skbsim NAME --help`. */
  help(): string;
  /** Run with the arguments after the command name; resolves to the exit
   *  status. Throws UsageError / CliError for the user's mistakes. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
