/**
 * The long run of the schema-driven fuzzer (test/support/fuzz): `npm run fuzz -- --runs 100000`.
 * Prints how many requests it sent and every kind of failure; exits 1 on any failure.
 */
import { parseArgs } from 'node:util';
import { runFuzz } from '../test/support/fuzz/index.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '16' },
    concurrency: { type: 'string', default: '4' },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run fuzz -- [--runs N] [--seed S] [--concurrency C]');
  process.exit(2);
}
const started = Date.now();
const result = await runFuzz({
  runs,
  seed,
  concurrency: Number(values.concurrency),
  onProgress: (sent, failures) => {
    if (sent % 5000 < 500) console.log(`  ${sent} requests, ${failures} failures`);
  },
});
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(
  `fuzz: sent ${result.sent} requests (admin API ${result.byFamily.api}, hosted forms ${result.byFamily.form}, OAuth ${result.byFamily.oauth}) in ${seconds} s, seed ${seed}: ${result.failureCount} failures`,
);
console.log(`answers by status: ${JSON.stringify(result.byStatus)}`);
for (const failure of result.failures) {
  const { method, path, body } = failure.request;
  console.log(`\n${failure.status} ${method} ${path}\n  body: ${body?.slice(0, 200) ?? '-'}`);
  console.log(`  ${failure.problems.join('\n  ')}\n  answer: ${failure.excerpt}`);
}
process.exit(result.failureCount === 0 ? 0 : 1);
