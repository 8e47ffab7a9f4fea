/**
 * The scale measurements alone, printed as Markdown:
 * `node --conditions=@volley/source --import tsx bench/src/scale/main.ts [--quick]`.
 * Progress goes to stderr, the tables to stdout.
 */
import { formatScaleMarkdown, runScaleSuite } from './run-scale.js';

const results = await runScaleSuite((line) => process.stderr.write(`${line}\n`), {
  quick: process.argv.includes('--quick'),
});
process.stdout.write(`${formatScaleMarkdown(results)}\n`);
if (results.failures.length > 0) process.exitCode = 1;
