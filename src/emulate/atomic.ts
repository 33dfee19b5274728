/**
 * Atomic Red Team test definitions (atomics/TXXXX/TXXXX.yaml, the format of
 * redcanaryco/atomic-red-team): the technique, and per test its platforms,
 * input arguments with defaults, prerequisite checks and executor.
 *
 *   attack_technique: T1049
 *   atomic_tests:
 *   - name: …                          auto_generated_guid: …
 *     supported_platforms: [linux, macos]
 *     input_arguments: { NAME: { description, type, default } }
 *     dependency_executor_name: sh     (prereqs run with it; default: the executor's)
 *     dependencies: [ { description, prereq_command, get_prereq_command } ]
 *     executor: { name: sh|bash|command_prompt|powershell|manual, command, cleanup_command, elevation_required }
 *
 * A file that does not have this shape is rejected with the file and the
 * test it is about; unknown keys are ignored (the format grows).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface AtomicDependency {
  description: string;
  prereqCommand: string;
  getPrereqCommand?: string;
}

export interface AtomicExecutor {
  name: string;
  command?: string;
  cleanupCommand?: string;
  elevationRequired: boolean;
}

export interface AtomicTest {
  /** 1-based position in the file, for messages. */
  index: number;
  name: string;
  guid?: string;
  description: string;
  platforms: string[];
  /** Input argument → its default, as text. */
  inputDefaults: Map<string, string>;
  dependencyExecutor?: string;
  dependencies: AtomicDependency[];
  executor: AtomicExecutor;
}

export interface AtomicTechnique {
  file: string;
  technique: string;
  displayName: string;
  tests: AtomicTest[];
}

/** A technique's definitions and the atomics folder they came from (for PathToAtomicsFolder). */
export interface AtomicSource {
  technique: AtomicTechnique;
  folder: string;
}

export class AtomicFormatError extends Error {}

export function parseAtomicFile(file: string): AtomicTechnique {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AtomicFormatError(`${file}: not readable YAML: ${(e as Error).message}`);
  }
  return atomicFromDocument(doc, file);
}

export function atomicFromDocument(doc: unknown, file: string): AtomicTechnique {
  const top = record(doc, `${file}: the top level`);
  const technique = text(top['attack_technique'], `${file}: attack_technique`);
  const tests = top['atomic_tests'];
  if (!Array.isArray(tests)) throw new AtomicFormatError(`${file}: atomic_tests must be a list`);
  return {
    file,
    technique,
    displayName: optionalText(top['display_name'], `${file}: display_name`) ?? technique,
    tests: tests.map((t, i) => atomicTest(t, `${file}: atomic test ${i + 1}`, i + 1)),
  };
}

function atomicTest(v: unknown, where: string, index: number): AtomicTest {
  const t = record(v, where);
  const name = text(t['name'], `${where}: name`);
  const at = `${where} ('${name}')`;
  const platforms = t['supported_platforms'];
  if (!Array.isArray(platforms) || !platforms.every((p) => typeof p === 'string')) throw new AtomicFormatError(`${at}: supported_platforms must be a list of names`);
  const inputDefaults = new Map<string, string>();
  if (t['input_arguments'] !== undefined && t['input_arguments'] !== null) {
    for (const [arg, spec] of Object.entries(record(t['input_arguments'], `${at}: input_arguments`))) {
      const d = record(spec, `${at}: input argument ${arg}`)['default'];
      if (d !== undefined && d !== null && typeof d !== 'string' && typeof d !== 'number' && typeof d !== 'boolean') {
        throw new AtomicFormatError(`${at}: input argument ${arg}: default must be text or a number`);
      }
      inputDefaults.set(arg, d === undefined || d === null ? '' : String(d));
    }
  }
  const deps = t['dependencies'] ?? [];
  if (!Array.isArray(deps)) throw new AtomicFormatError(`${at}: dependencies must be a list`);
  const ex = record(t['executor'], `${at}: executor`);
  return {
    index,
    name,
    guid: optionalText(t['auto_generated_guid'], `${at}: auto_generated_guid`),
    description: optionalText(t['description'], `${at}: description`) ?? '',
    platforms: platforms.map((p: string) => p.toLowerCase()),
    inputDefaults,
    dependencyExecutor: optionalText(t['dependency_executor_name'], `${at}: dependency_executor_name`),
    dependencies: deps.map((d, i) => {
      const r = record(d, `${at}: dependency ${i + 1}`);
      return {
        description: optionalText(r['description'], `${at}: dependency ${i + 1} description`) ?? '',
        prereqCommand: text(r['prereq_command'], `${at}: dependency ${i + 1} prereq_command`),
        getPrereqCommand: optionalText(r['get_prereq_command'], `${at}: dependency ${i + 1} get_prereq_command`),
      };
    }),
    executor: {
      name: text(ex['name'], `${at}: executor name`),
      command: optionalText(ex['command'], `${at}: executor command`),
      cleanupCommand: optionalText(ex['cleanup_command'], `${at}: executor cleanup_command`),
      elevationRequired: ex['elevation_required'] === true,
    },
  };
}

/**
 * Where the definitions of a technique are: DIR/TXXXX/TXXXX.yaml (the
 * layout of Atomic Red Team's atomics folder) or DIR/TXXXX.yaml.
 */
export function atomicFileIn(dir: string, technique: string): string | undefined {
  for (const p of [join(dir, technique, `${technique}.yaml`), join(dir, `${technique}.yaml`)]) if (existsSync(p)) return resolve(p);
  return undefined;
}

function record(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AtomicFormatError(`${where} must be a mapping`);
  return v as Record<string, unknown>;
}

function text(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new AtomicFormatError(`${where} must be non-empty text`);
  return v;
}

function optionalText(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new AtomicFormatError(`${where} must be text`);
  return v;
}
