// Where the tests leave what a person wants to look at afterwards: e2e/artifacts/ (gitignored).
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

/** A fresh, empty folder e2e/artifacts/<parts...> for one scenario's logs and screenshots. */
export function artifactDir(...parts) {
  const dir = join(ARTIFACTS, ...parts.map((p) => p.replace(/[^\w.-]+/g, '-')));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}
