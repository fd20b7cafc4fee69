/**
 * `perfscope grafana-dashboard`: the command line, the dashboard's shape (schema version, variables,
 * a grid that fits), every query parsed by promtool, and every query answered with data by a real
 * Prometheus scraping a real `perfscope serve` (the Grafana variables substituted as Grafana would).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { parseExposition, startServe, type ServeProcess } from '../helpers/serve.js';
import { PROMETHEUS, PROMTOOL, freePort, missing, startEngine, tempDir, type Engine } from './engines.js';

const noProm = missing(PROMETHEUS, PROMTOOL);

interface Dashboard {
  title: string;
  uid: string;
  schemaVersion: number;
  panels: { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource?: { type: string; uid: string }; targets?: { expr: string; instant: boolean; datasource: { uid: string } }[] }[];
  templating: { list: { type: string; name: string; query: unknown; definition?: string; multi?: boolean; includeAll?: boolean }[] };
  annotations: { list: { expr?: string }[] };
}

async function dashboard(args: string[] = []): Promise<Dashboard> {
  const r = await cli(['grafana-dashboard', ...args]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  return JSON.parse(r.stdout) as Dashboard;
}

/** Every PromQL expression of the dashboard: panel targets and annotations. */
function expressions(d: Dashboard): { where: string; expr: string; instant: boolean }[] {
  const out: { where: string; expr: string; instant: boolean }[] = [];
  for (const p of d.panels) for (const t of p.targets ?? []) out.push({ where: p.title, expr: t.expr, instant: t.instant });
  for (const a of d.annotations.list) if (a.expr) out.push({ where: 'annotation', expr: a.expr, instant: false });
  return out;
}

/** What Grafana puts in place of its variables before a query reaches Prometheus. */
function substitute(expr: string, vars: Record<string, string>): string {
  return expr.replace(/\$(__rate_interval|__interval|__range|job|instance|groupname)\b/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`no value for $${name}`);
    return v;
  });
}

test('--help documents the flags; bad flags exit 2 with one line; it is a listed command', async () => {
  const help = await cli(['grafana-dashboard', '--help']);
  assert.equal(help.code, 0);
  for (const flag of ['--title', '--uid', 'Import']) assert.ok(help.stdout.includes(flag), flag);
  assert.match((await cli(['--help'])).stdout, /grafana-dashboard/);
  for (const [args, message] of [
    [['--bogus'], /unknown option '--bogus'/],
    [['--uid', 'no spaces'], /--uid must be 1-40 letters/],
    [['--title', ''], /--title must be 1-200 printable characters/],
    [['extra'], /unexpected argument 'extra'/],
  ] as [string[], RegExp][]) {
    const r = await cli(['grafana-dashboard', ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(r.stdout, '', 'nothing half-written');
  }
});

test('the dashboard: schema 42, a datasource variable, job/instance/groupname variables, host and group panels on the grid', async () => {
  const d = await dashboard(['--title', 'web-3 <prod>', '--uid', 'perfscope-web-3']);
  assert.equal(d.title, 'web-3 <prod>');
  assert.equal(d.uid, 'perfscope-web-3');
  assert.equal(d.schemaVersion, 42);
  const vars = Object.fromEntries(d.templating.list.map((v) => [v.name, v]));
  assert.equal(vars.datasource?.type, 'datasource');
  assert.equal(vars.datasource?.query, 'prometheus');
  assert.equal(vars.groupname?.type, 'query');
  assert.match(vars.groupname!.definition!, /^label_values\(namedprocess_namegroup_[a-z_]+\{job="\$job", instance="\$instance"\}, groupname\)$/);
  assert.equal(vars.groupname!.multi, true);
  assert.equal(vars.groupname!.includeAll, true);
  assert.match(vars.job!.definition!, /^label_values\(perfscope_serve_ticks_total, job\)$/);
  assert.match(vars.instance!.definition!, /^label_values\(perfscope_serve_ticks_total\{job="\$job"\}, instance\)$/);
  const ids = d.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'unique panel ids');
  for (const p of d.panels) {
    assert.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the 24 columns`);
    if (p.type === 'row') continue;
    assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' }, `${p.title} uses the datasource variable`);
    for (const t of p.targets!) assert.equal(t.datasource.uid, '${datasource}');
  }
  const exprs = expressions(d).map((e) => e.expr).join('\n');
  for (const name of ['node_cpu_seconds_total', 'node_memory_MemAvailable_bytes', 'node_load1', 'node_disk_read_bytes_total', 'node_network_receive_bytes_total', 'node_filesystem_avail_bytes', 'namedprocess_namegroup_cpu_seconds_total', 'namedprocess_namegroup_memory_bytes', 'namedprocess_namegroup_read_bytes_total', 'namedprocess_namegroup_num_threads', 'namedprocess_namegroup_open_filedesc']) {
    assert.ok(exprs.includes(name), `a panel shows ${name}`);
  }
  // Rows overlap nothing: each panel starts below or beside the earlier ones.
  const cells = new Set<string>();
  for (const p of d.panels) {
    for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
      for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
        const key = `${x},${y}`;
        assert.ok(!cells.has(key), `${p.title} overlaps another panel at ${key}`);
        cells.add(key);
      }
    }
  }
});

test('promtool parses every query (Grafana variables substituted)', { skip: noProm }, async () => {
  const d = await dashboard();
  const dir = tempDir('perfscope-grafana-promtool-');
  const vars = { __rate_interval: '1m', __interval: '15s', __range: '1h', job: 'perfscope', instance: 'web-3:9464', groupname: '.+' };
  const rules = expressions(d).map((e, i) => `      - record: perfscope:dashboard_query_${i}\n        expr: ${JSON.stringify(substitute(e.expr, vars))}`);
  const file = join(dir, 'rules.yml');
  writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
  const r = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));
});

let dir: string;
let serve: ServeProcess;
let prom: Engine;
let target: string;

before(async () => {
  if (noProm) return;
  dir = tempDir('perfscope-grafana-');
  serve = await startServe(['--no-store', '--group', 'perfscope-serve=perfscope\\.js serve']);
  target = new URL(serve.url).host;
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: perfscope\n    static_configs:\n      - targets: ['${target}']\n`);
  prom = await startEngine(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], port);
});

after(async () => {
  await prom?.stop();
  if (serve) assert.equal(await serve.stop(), 0);
});

test('every query returns data from a real Prometheus scraping serve; the variables find serve and its groups', { skip: noProm, timeout: 120_000 }, async () => {
  const d = await dashboard();
  // Every metric a query names is one serve exports.
  const exported = new Set(parseExposition(await (await fetch(`${serve.url}metrics`)).text()).map((s) => s.name));
  for (const { where, expr } of expressions(d)) {
    const names = (expr.replace(/"[^"]*"/g, '""').match(/\b[a-zA-Z_:][a-zA-Z0-9_:]*(?=\{)/g) ?? []).filter((n) => !['by', 'without'].includes(n));
    assert.ok(names.length > 0, `${where}: names a series`);
    for (const n of names) assert.ok(exported.has(n), `${where}: ${n} is exported by serve`);
  }
  const vars = { __rate_interval: '10s', __interval: '5s', __range: '1m', job: 'perfscope', instance: target, groupname: '.+' };
  // Rates need a few scrapes: poll the slowest query first.
  const query = async (expr: string): Promise<unknown[]> => {
    const r = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await r.json()) as { status: string; error?: string; data: { result: unknown[] } };
    assert.equal(body.status, 'success', `${expr}: ${body.error}`);
    return body.data.result;
  };
  const deadline = Date.now() + 60_000;
  const pending = expressions(d).map((e) => ({ ...e, promql: substitute(e.expr, vars).replace(/ > 0$/, '') }));
  const empty: string[] = [];
  for (const e of pending) {
    for (;;) {
      const result = await query(e.promql);
      if (result.length > 0) break;
      if (Date.now() > deadline) {
        empty.push(`${e.where}: ${e.promql}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  assert.deepEqual(empty, [], 'every panel query has data');

  // The variables' label_values() as Grafana asks Prometheus for them.
  const labelValues = async (label: string, match: string): Promise<string[]> => {
    const r = await fetch(`${prom.url}/api/v1/label/${label}/values?match[]=${encodeURIComponent(match)}`);
    return ((await r.json()) as { data: string[] }).data;
  };
  const v = Object.fromEntries(d.templating.list.map((x) => [x.name, x.definition ?? '']));
  const parse = (def: string): [string, string] => {
    const m = /^label_values\((.*), (\w+)\)$/.exec(def)!;
    return [m[2]!, substitute(m[1]!, vars)];
  };
  assert.deepEqual(await labelValues(...parse(v.job!)), ['perfscope']);
  assert.deepEqual(await labelValues(...parse(v.instance!)), [target]);
  const groupnames = await labelValues(...parse(v.groupname!));
  assert.ok(groupnames.includes('perfscope-serve') && groupnames.length > 3, `groups: ${groupnames.join(', ')}`);
});
