// Analyses the bundled sample performance log (gzip, 6,000 lines in the text layout perfscope writes,
// with a slowdown of get_order halfway and a few malformed lines) with the library API, as
// `perfscope logs analyze` does, and writes the HTML report.
// Run:  node examples/logs-analyze/index.js [DIR]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeLogs, renderLogsHtml } from 'perfscope';

const sample = fileURLToPath(new URL('app_performance.log.gz', import.meta.url));
const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'perfscope-logs-'));

const analysis = await analyzeLogs({ files: [sample], top: 5 });
console.log(`${analysis.format}: ${analysis.records} calls, ${analysis.malformed.count} malformed lines (${analysis.malformed.lines.slice(0, 5).join(', ')}, …)`);
for (const g of analysis.groups) {
  console.log(`${g.key.padEnd(16)} ${String(g.count).padStart(5)} calls  p50 ${(g.p50 * 1000).toFixed(1)} ms  p99 ${(g.p99 * 1000).toFixed(1)} ms  ${(g.share * 100).toFixed(1)} % of the time`);
}
for (const c of analysis.changes) console.log(`change: ${c.key} ${c.metric} ${(c.before * 1000).toFixed(1)} ms -> ${(c.after * 1000).toFixed(1)} ms from ${c.at}`);
for (const p of analysis.patterns.slice(0, 3)) console.log(`pattern: ${p.count} x ${p.level} ${p.template}`);
const html = join(dir, 'logs-report.html');
writeFileSync(html, renderLogsHtml(analysis));
console.log(`wrote ${html}`);
