/**
 * Atomic Red Team's text substitution: `#{name}` becomes the input
 * argument's value (the caller's override, else the test's default), and
 * the `PathToAtomicsFolder` token in any of them becomes the atomics folder,
 * as Invoke-AtomicTest does. A `#{name}` the test does not declare is left
 * as written and reported, so a typo in a definition is visible rather
 * than silently run as an empty string.
 */
const PLACEHOLDER = /#\{([A-Za-z0-9_.-]+)\}/g;
const ATOMICS_TOKEN = /\$?PathToAtomicsFolder/g;

export interface Substituted {
  text: string;
  /** Placeholders without a value. */
  unknown: string[];
}

export function substituteInputs(
  template: string,
  defaults: ReadonlyMap<string, string>,
  overrides: ReadonlyMap<string, string>,
  atomicsFolder: string,
): Substituted {
  const unknown: string[] = [];
  const text = template.replace(PLACEHOLDER, (whole, name: string) => {
    const v = overrides.get(name) ?? defaults.get(name);
    if (v === undefined) {
      unknown.push(name);
      return whole;
    }
    return v.replace(ATOMICS_TOKEN, () => atomicsFolder);
  });
  return { text: text.replace(ATOMICS_TOKEN, () => atomicsFolder), unknown };
}
