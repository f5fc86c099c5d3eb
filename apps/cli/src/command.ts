import type { ApiClient } from './api-client';

/** One flag of a command, as node:util parseArgs takes it plus what `--help` shows. */
export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  description: string;
  /** Shown after the flag in help, for string options: `--format <name>`. */
  valueName?: string;
}

export interface CommandArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** What a command may touch: nothing global, so the unit specs drive commands with fakes. */
export interface CommandContext {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The API client from REFOS_API_URL / REFOS_API_KEY; throws (exit 2) when they are missing or malformed. */
  api(): ApiClient;
}

/** An entry of the command table in commands/index.ts. */
export interface Command {
  name: string;
  /** One line for the command list of `refos --help`. */
  summary: string;
  /** What follows `refos <name>` in the usage line, e.g. `[--json]`. */
  synopsis: string;
  /** Extra paragraph for `refos <name> --help`. */
  description?: string;
  options: Record<string, OptionSpec>;
  /** Positional arguments the command takes; none when omitted. */
  positionals?: { name: string; description: string; required?: boolean }[];
  /** Returns the exit code (0 when omitted); throws CliError for failures. */
  run(ctx: CommandContext, args: CommandArgs): Promise<number | void>;
}
