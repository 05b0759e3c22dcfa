// Prints the functions with the most self time in a .cpuprofile (from `replay.mjs --profile DIR`):
// node profile-summary.mjs FILE [N]
import { readFileSync } from 'node:fs';

const [file, n = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]);
  const f = node.callFrame;
  const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = ['(idle)', '(program)', '(garbage collector)'];
console.log(`${file}: ${total.toFixed(0)} ms sampled`);
for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${ms.toFixed(1).padStart(8)} ms ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
}
