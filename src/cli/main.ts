/**
 * The `mesostp` command. Each subcommand lives in ./commands/<name>.ts and exports one
 * `Command`; this file only dispatches and turns errors into messages and exit codes.
 */
import { analyzeCommand } from './commands/analyze';
import { benchCommandFactory } from './commands/bench';
import { checkCommand } from './commands/check';
import { compareCommand } from './commands/compare';
import { exportCommand } from './commands/export';
import { infoCommand } from './commands/info';
import { mergeCommand } from './commands/merge';
import { runCommandFactory } from './commands/run';
import { schemaCommand } from './commands/schema';
import { slurmCommand } from './commands/slurm';
import { sweepCommandFactory } from './commands/sweep';
import { validateCommand } from './commands/validate';
import type { Command } from './command';
import { version } from '../version';

function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `mesostp ${version}: spiking networks with short-term synaptic plasticity on WebGPU`,
    '',
    'Usage: mesostp <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `mesostp <command> --help` for the options of a command.',
  ].join('\n');
}

/** `workerScript`: the file worker threads run (the CLI bundle itself). */
export async function main(argv: string[], workerScript?: URL): Promise<number> {
  const commands: Command[] = [
    infoCommand,
    checkCommand,
    schemaCommand,
    runCommandFactory(workerScript),
    mergeCommand,
    sweepCommandFactory(workerScript),
    slurmCommand,
    analyzeCommand,
    validateCommand,
    compareCommand,
    exportCommand,
    benchCommandFactory(workerScript),
  ];
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    console.log(topic ? topic.help : usage(commands));
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(version);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`mesostp: unknown command '${name}'.\n\n${usage(commands)}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  return command.run(rest);
}
