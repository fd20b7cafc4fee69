/**
 * Command-line flags of the benches: `--name value` pairs. A number that does not parse, or is below
 * its minimum, ends the bench with one line on stderr and exit code 2 (usage), before anything runs.
 */
const argv = process.argv.slice(2);

/** The value after `name`, or undefined when the flag is absent. */
export function flag(name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Every value after `name`, for a flag that may repeat. */
export function flags(name: string): string[] {
  return argv.flatMap((a, i) => (a === name && i + 1 < argv.length ? [argv[i + 1]!] : []));
}

/** The number after `name` (`fallback` when absent); must be finite and at least `min`. */
export function numberFlag(name: string, fallback: number, min: number): number {
  const raw = flag(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min) {
    process.stderr.write(`${name} must be a number >= ${min} (got ${JSON.stringify(raw)})\n`);
    process.exit(2);
  }
  return n;
}
