#!/usr/bin/env node
/** The `vigil` command: dispatches to one subcommand per mode. */
import { huntCommand, HUNT_HELP } from './hunt.js';
import { lintCommand, LINT_HELP } from './lint.js';
import { dumpCommand, DUMP_HELP } from './dump.js';
import { coverageCommand, COVERAGE_HELP } from './coverage.js';
import { watchCommand, WATCH_HELP } from './watch.js';
import { emulateCommand, EMULATE_HELP } from './emulate.js';
import { UsageError } from './args.js';

const HELP = `vigil — detection engine for MITRE ATT&CK T1049 (System Network Connections Discovery)

Usage:
  vigil hunt PATH... [options]   run Sigma rules (built-in T1049 pack by default) over log files/folders
  vigil coverage PATH... [opts]  per host: which data sources the pack needs are in the logs, and the fix for each gap
  vigil lint PATH... [options]   check Sigma rule files the way the reference toolchain does, plus warnings
  vigil dump FILE.evtx...        decode EVTX files to JSON lines (evtx_dump shape), reporting damage
  vigil watch [options]          live detection on this Linux host from kernel audit (root)
  vigil emulate T1049 [options]  run the technique's Atomic Red Team tests and Vigil's own steps
                                 under 'watch' and report what was detected, and how fast (root)
  vigil help [COMMAND]           this text, or a command's options

Run 'vigil help COMMAND' (hunt, coverage, lint, dump, watch, emulate) for options.
`;

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  hunt: { run: huntCommand, help: HUNT_HELP },
  coverage: { run: coverageCommand, help: COVERAGE_HELP },
  lint: { run: lintCommand, help: LINT_HELP },
  dump: { run: dumpCommand, help: DUMP_HELP },
  watch: { run: watchCommand, help: WATCH_HELP },
  emulate: { run: emulateCommand, help: EMULATE_HELP },
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    const topic = cmd === 'help' ? rest[0] : undefined;
    process.stdout.write(topic && COMMANDS[topic] ? COMMANDS[topic].help : HELP);
    return 0;
  }
  const command = COMMANDS[cmd];
  if (!command) {
    process.stderr.write(`vigil: unknown command '${cmd}'\n\n${HELP}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`vigil ${cmd}: ${e.message}\n\n${command.help}`);
      return 2;
    }
    process.stderr.write(`vigil ${cmd}: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
