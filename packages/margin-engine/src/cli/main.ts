// margin-scenario: read a scenario (file path argument or stdin), write JSON Lines to stdout.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario, ScenarioFormatError } from './scenario-input.ts';
import { runScenario } from './run-scenario.ts';

function readInput(): string {
  const path = process.argv[2];
  if (path && path !== '-') {
    // a relative path not found from the working directory is tried from the package directory,
    // so `npx margin-scenario examples/hedged-cross.json` works from the repository root too
    const inPackage = join(fileURLToPath(new URL('../..', import.meta.url)), path);
    return readFileSync(
      !existsSync(path) && !isAbsolute(path) && existsSync(inPackage) ? inPackage : path,
      'utf8',
    );
  }
  return readFileSync(0, 'utf8');
}

function main(): number {
  let input: string;
  try {
    input = readInput();
  } catch (e) {
    process.stderr.write(`margin-scenario: cannot read input: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const lines = runScenario(parseScenario(input));
    process.stdout.write(
      lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''),
    );
    return 0;
  } catch (e) {
    if (e instanceof ScenarioFormatError) {
      process.stderr.write(`margin-scenario: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = main();
