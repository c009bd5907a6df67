import { parseArgs } from 'node:util';
import {
  type Config,
  createLogger,
  isAppError,
  type Logger,
  loadConfig,
} from '../platform/index.ts';
import { type CommandContext, commands, UsageError } from './commands.ts';

const usage = `Usage: vigil <command> [options]

Commands:
  start                         start the server (same as npm start)
  migrate                       apply pending database migrations
  admin bootstrap               print a fresh one-time link to create the first platform administrator
  keys list                     the key inventory: data keys, platform keys, ciphertexts per key
  keys rotate [--no-wait]       activate a new data key and re-encrypt every ciphertext under it
                                (--no-wait: leave the re-encryption to the running nodes)
  keys rotate --master --new-master-key-file FILE
                                re-wrap every data key under a new master key
  keys rotate --platform PURPOSE
                                replace the active platform key (audit-mac | audit-seal)
  audit verify                  seal pending events, then check the whole audit log for tampering
  audit export --format jsonl|csv [--from ISO] [--to ISO] [--org ID] [--out FILE]
                                export audit events, oldest first

Options:
  --json                        machine-readable output
  -h, --help                    this text

Exit codes: 0 ok, 1 a check failed (e.g. tampering found), 2 bad usage or configuration.
`;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      master: { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
      'new-master-key-file': { type: 'string' },
      platform: { type: 'string' },
      format: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      org: { type: 'string' },
      out: { type: 'string' },
    },
  });
}

export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    process.stdout.write(usage);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  const name = positionals.slice(0, 2).join(' ');
  const command = commands[name] ?? commands[positionals[0] ?? ''];
  if (!command) {
    process.stderr.write(`Unknown command: ${positionals.join(' ')}\n\n${usage}`);
    return 2;
  }
  let config: Config;
  let logger: Logger;
  try {
    const loaded = loadConfig(env);
    config = loaded.config;
    logger = createLogger(name === 'start' ? config.VIGIL_LOG_LEVEL : 'warn', process.stderr);
    // Unsafe development settings are refused in production and shouted about here.
    for (const warning of loaded.warnings) logger.warn(`UNSAFE SETTING ${warning}`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const ctx: CommandContext = { config, logger, options: values, json: values.json === true };
  try {
    return await command(ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${usage}`);
      return 2;
    }
    if (isAppError(err) && err.expose) {
      process.stderr.write(`${err.message}\n`);
      return err.code === 'config.invalid' ? 2 : 1;
    }
    logger.error({ err }, 'command failed');
    return 1;
  }
}

if (import.meta.main) {
  const code = await runCli(process.argv.slice(2));
  // `start` keeps running; every other command ends here.
  if (code !== -1) process.exit(code);
}
