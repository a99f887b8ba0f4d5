/** `tsx bench/profile-summary.ts <file.cpuprofile> [n]`: the top functions by self time, as shares of busy (non-idle) time. */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [n]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[] };
const total = profile.nodes
  .filter((n) => n.callFrame.functionName !== '(idle)')
  .reduce((s, n) => s + (n.hitCount ?? 0), 0);
const byFn = new Map<string, number>();
for (const n of profile.nodes) {
  const url = n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|bench)\//, '$1/');
  const key = `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + (n.hitCount ?? 0));
}
for (const k of byFn.keys()) if (k.startsWith('(idle) ')) byFn.delete(k);
for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 30))) {
  console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}
