import { parseArgs } from 'node:util';
import { ApiClient, CliError, DEFAULT_API_URL } from './api-client';
import type { Command, CommandArgs, CommandContext, OptionSpec } from './command';
import { COMMANDS } from './commands';

/** Exit codes: 0 done, 1 the run failed (API error, network), 2 the invocation is wrong (usage, environment). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** For tests: replaces the global fetch and the 10 s request timeout. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'Show this help' };

const ENVIRONMENT_HELP = [
  'Environment:',
  `  REFOS_API_URL  Base URL of the Referral OS API (default ${DEFAULT_API_URL})`,
  '  REFOS_API_KEY  A tenant API key (dlk_…), sent as "Authorization: Bearer"; never printed',
].join('\n');

/** Outcome of reading argv: a command to run, or text to print and an exit code. */
export type Invocation =
  | { kind: 'run'; command: Command; args: CommandArgs }
  | { kind: 'help'; text: string }
  | { kind: 'usage-error'; message: string; usage: string };

/** Reads `refos [-h] <command> [options] [args]` against the command table; pure, so the spec covers it. */
export function parseInvocation(argv: string[], commands: readonly Command[] = COMMANDS): Invocation {
  const commandIndex = argv.findIndex((arg) => !arg.startsWith('-'));
  const globals = commandIndex === -1 ? argv : argv.slice(0, commandIndex);
  const unknownGlobal = globals.find((arg) => arg !== '--help' && arg !== '-h');
  if (unknownGlobal !== undefined) return { kind: 'usage-error', message: `unknown option '${unknownGlobal}'`, usage: mainUsage(commands) };
  if (globals.length > 0) return { kind: 'help', text: mainUsage(commands) };
  if (commandIndex === -1) return { kind: 'usage-error', message: 'missing command', usage: mainUsage(commands) };

  const name = argv[commandIndex];
  const command = commands.find((c) => c.name === name);
  if (!command) return { kind: 'usage-error', message: `unknown command '${name}'`, usage: mainUsage(commands) };

  const declared = command.positionals ?? [];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv.slice(commandIndex + 1),
      options: Object.fromEntries(
        Object.entries({ ...command.options, help: HELP_OPTION }).map(([flag, spec]) => [flag, spec.short ? { type: spec.type, short: spec.short } : { type: spec.type }]),
      ),
      strict: true,
      allowPositionals: declared.length > 0,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!code?.startsWith('ERR_PARSE_ARGS_')) throw error;
    const message = (error as Error).message;
    return { kind: 'usage-error', message: message.charAt(0).toLowerCase() + message.slice(1), usage: commandUsage(command) };
  }

  const values = parsed.values as CommandArgs['values'];
  if (values.help) return { kind: 'help', text: commandUsage(command) };
  const missing = declared.slice(parsed.positionals.length).find((p) => p.required);
  if (missing) return { kind: 'usage-error', message: `missing <${missing.name}>`, usage: commandUsage(command) };
  if (parsed.positionals.length > declared.length) {
    return { kind: 'usage-error', message: `unexpected argument '${parsed.positionals[declared.length]}'`, usage: commandUsage(command) };
  }
  delete values.help;
  return { kind: 'run', command, args: { values, positionals: parsed.positionals } };
}

export function mainUsage(commands: readonly Command[] = COMMANDS): string {
  return [
    'Usage: refos <command> [options]',
    '',
    'The Referral OS command line.',
    '',
    'Commands:',
    ...table(commands.map((c) => [c.name, c.summary])),
    '',
    'Options:',
    ...table(optionRows({ help: HELP_OPTION })),
    '',
    ENVIRONMENT_HELP,
    '',
    "Run 'refos <command> --help' for the options of a command.",
    '',
  ].join('\n');
}

export function commandUsage(command: Command): string {
  const positionals = command.positionals ?? [];
  return [
    `Usage: refos ${command.name}${command.synopsis ? ` ${command.synopsis}` : ''}`,
    '',
    `${command.summary}.`,
    ...(command.description ? [command.description] : []),
    '',
    ...(positionals.length > 0 ? ['Arguments:', ...table(positionals.map((p) => [`<${p.name}>`, p.description])), ''] : []),
    'Options:',
    ...table(optionRows({ ...command.options, help: HELP_OPTION })),
    '',
    ENVIRONMENT_HELP,
    '',
  ].join('\n');
}

function optionRows(options: Record<string, OptionSpec>): [string, string][] {
  return Object.entries(options).map(([flag, spec]) => {
    const long = `--${flag}${spec.type === 'string' ? ` <${spec.valueName ?? 'value'}>` : ''}`;
    return [spec.short ? `-${spec.short}, ${long}` : `    ${long}`, spec.description];
  });
}

function table(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

/** The API client from the environment; every problem is an exit-2 message naming the variable. */
export function apiClientFromEnv(env: CliIo['env'], overrides: Pick<CliIo, 'fetch' | 'timeoutMs'> = {}): ApiClient {
  const apiKey = env.REFOS_API_KEY?.trim();
  if (!apiKey) {
    throw new CliError('REFOS_API_KEY is not set. Set it to a tenant API key (dlk_…), e.g. export REFOS_API_KEY=dlk_…', EXIT_USAGE);
  }
  // fetch would refuse such a header with an error that quotes the value, i.e. the key.
  if (/[^\x21-\x7e]/.test(apiKey)) throw new CliError('REFOS_API_KEY contains spaces or characters that cannot be sent in an HTTP header', EXIT_USAGE);

  const rawUrl = env.REFOS_API_URL?.trim() || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new CliError(`REFOS_API_URL is not a valid URL (got "${rawUrl}"); expected e.g. ${DEFAULT_API_URL}`, EXIT_USAGE);
  }
  if (url.username || url.password) throw new CliError('REFOS_API_URL must not contain a user name or password; the key goes in REFOS_API_KEY', EXIT_USAGE);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`REFOS_API_URL must start with http:// or https:// (got "${rawUrl}")`, EXIT_USAGE);
  if (url.search || url.hash) throw new CliError(`REFOS_API_URL must be a base URL without ?query or #fragment (got "${rawUrl}")`, EXIT_USAGE);
  return new ApiClient({ baseUrl: `${url.origin}${url.pathname}`, apiKey, fetch: overrides.fetch, timeoutMs: overrides.timeoutMs });
}

/** Blanks the API key (and its secret part) out of everything the CLI prints, whatever the source of the text. */
export function keyRedactor(apiKey: string | undefined): (text: string) => string {
  const secrets = new Set<string>();
  const key = apiKey?.trim();
  if (key && key.length >= 8) {
    secrets.add(key);
    const secret = /^dlk_[^_]+_(.{8,})$/.exec(key)?.[1];
    if (secret) secrets.add(secret);
  }
  return (text) => [...secrets].reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/** Runs one invocation of `refos` and resolves with its exit code; never rejects. */
export async function run(argv: string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  const redact = keyRedactor(io.env.REFOS_API_KEY);
  const stdout = (text: string) => io.stdout(redact(text));
  const stderr = (text: string) => io.stderr(redact(text));
  try {
    const invocation = parseInvocation(argv, commands);
    if (invocation.kind === 'help') {
      stdout(invocation.text);
      return EXIT_OK;
    }
    if (invocation.kind === 'usage-error') {
      stderr(`refos: ${invocation.message}\n\n${invocation.usage}`);
      return EXIT_USAGE;
    }
    const ctx: CommandContext = { stdout, stderr, api: () => apiClientFromEnv(io.env, io) };
    return (await invocation.command.run(ctx, invocation.args)) ?? EXIT_OK;
  } catch (error) {
    if (error instanceof CliError) {
      stderr(`Error: ${error.message}\n`);
      return error.exitCode;
    }
    stderr(`refos: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT_FAILURE;
  }
}
