// margin-scenario: read a scenario (file path argument or stdin), write JSON Lines to stdout.
import { readFileSync } from 'node:fs';
import { parseScenario, ScenarioFormatError } from './scenario-input.ts';
import { runScenario } from './run-scenario.ts';

function readInput(): string {
  const path = process.argv[2];
  if (path && path !== '-') return readFileSync(path, 'utf8');
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
    process.stdout.write(lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''));
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
