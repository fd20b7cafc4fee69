/** `perfscope report`: files and stored runs to PNG/SVG/HTML, overlays, and the user errors. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../src/core/errors.js';
import { cli, tempDir } from '../helpers/cli.js';
import { decodePng } from '../helpers/png.js';
import { syntheticRun } from '../helpers/synthetic-run.js';

const tmp = tempDir('perfscope-report-cli-');
after(() => tmp.cleanup());
const runFile = join(tmp.dir, 'run.json');
writeFileSync(runFile, JSON.stringify(syntheticRun({ samples: 600, children: true })));

test('report writes PNG, SVG and HTML from a --json file', async () => {
  const png = join(tmp.dir, 'out.png');
  const svg = join(tmp.dir, 'out.svg');
  const html = join(tmp.dir, 'out.html');
  const r = await cli(['report', runFile, '--png', png, '--svg', svg, '--html', html, '--lang', 'ko', '--title', '보고서 <1>']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /wrote .*out\.png/);
  assert.equal(decodePng(readFileSync(png)).width, 1200);
  const svgText = readFileSync(svg, 'utf8');
  assert.ok(svgText.includes('보고서 &lt;1&gt;') && svgText.includes('CPU 사용량 (%)'));
  const htmlText = readFileSync(html, 'utf8');
  assert.ok(htmlText.startsWith('<!doctype html>') && htmlText.includes('<html lang="ko"'));
  assert.deepEqual(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');
});

test('two runs overlay; --scale 2 doubles the PNG', async () => {
  const other = join(tmp.dir, 'other.json');
  writeFileSync(other, JSON.stringify(syntheticRun({ samples: 300 })));
  const html = join(tmp.dir, 'cmp.html');
  const png = join(tmp.dir, 'cmp.png');
  const r = await cli(['report', runFile, other, '--html', html, '--png', png, '--scale', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(html, 'utf8'), /<title>run vs other<\/title>/);
  assert.equal(decodePng(readFileSync(png)).width, 2400);
});

test('a stored run by id and as last', async () => {
  const store = join(tmp.dir, 'runs.db');
  const rec = await cli(['run', '-q', '-i', '0.05', '--store', store, '--', process.execPath, '-e', 'let x=0;for(let i=0;i<2e7;i++)x+=i']);
  assert.equal(rec.code, 0, rec.stderr);
  const out = join(tmp.dir, 'stored.svg');
  const r = await cli(['report', 'last', '--store', store, '--svg', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(out, 'utf8'), /CPU usage over time/);
  const r1 = await cli(['report', '1', '--svg', out], { store });
  assert.equal(r1.code, 0, r1.stderr);
  const missing = await cli(['report', '99', '--svg', out], { store });
  assert.equal(missing.code, ExitCode.notFound);
});

test('run --plot and --html draw the run at its end; a bad extension is a usage error before running', async () => {
  const png = join(tmp.dir, 'run-plot.png');
  const html = join(tmp.dir, 'run-report.html');
  const r = await cli(['run', '-q', '-i', '0.05', '--no-store', '--plot', png, '--html', html, '--', process.execPath, '-e', 'setTimeout(() => {}, 300)']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(decodePng(readFileSync(png)).height > 500);
  assert.match(readFileSync(html, 'utf8'), /perfscope-data/);
  const bad = await cli(['run', '-q', '--no-store', '--plot', join(tmp.dir, 'x.jpg'), '--', process.execPath, '-e', '0']);
  assert.equal(bad.code, ExitCode.usage);
  assert.match(bad.stderr, /--plot needs a \.png or \.svg/);
});

test('user errors: exit codes and one line each', async () => {
  const out = join(tmp.dir, 'never.html');
  const cases: [string[], number, RegExp][] = [
    [['report'], ExitCode.usage, /missing RUN/],
    [['report', runFile], ExitCode.usage, /nothing to write/],
    [['report', join(tmp.dir, 'nope.json'), '--html', out], ExitCode.notFound, /no such file/],
    [['report', runFile, '--html', out, '--lang', 'fr'], ExitCode.usage, /--lang must be en or ko/],
    [['report', runFile, '--png', out, '--scale', '9'], ExitCode.usage, /--scale/],
    [['report', runFile, runFile, runFile, '--html', out], ExitCode.usage, /unexpected argument/],
    // Checked before anything is drawn (issue 11.3).
    [['report', runFile, '--html', join(tmp.dir, 'no-such-dir', 'x.html')], ExitCode.usage, /cannot write .*no such directory/],
  ];
  const bad = join(tmp.dir, 'bad.json');
  writeFileSync(bad, '{"meta": {"format": "perfscope-run", "formatVersion": 1}}');
  cases.push([['report', bad, '--html', out], ExitCode.badData, /bad\.json: meta\.pid must be a number/]);
  const notJson = join(tmp.dir, 'not.json');
  writeFileSync(notJson, 'hello');
  cases.push([['report', notJson, '--html', out], ExitCode.badData, /not JSON/]);
  // issue 11.23: PNG bytes in a .jpg, a directory as the run, and no file bytes echoed in an error.
  cases.push([['report', runFile, '--png', join(tmp.dir, 'x.jpg')], ExitCode.usage, /--png needs a \.png file name, got '.*x\.jpg'/]);
  cases.push([['report', tmp.dir, '--html', out], ExitCode.usage, /is a directory, not a run file/]);
  const secret = join(tmp.dir, 'shadow');
  writeFileSync(secret, 'root:$6$s3cr3tHash:19000:0:99999:7:::\n');
  cases.push([['report', secret, '--html', out], ExitCode.badData, /shadow: not JSON.* \(a run file is the JSON 'perfscope run --json' writes\)\n$/]);
  for (const [args, code, message] of cases) {
    const r = await cli(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    assert.doesNotMatch(r.stderr, /s3cr3t|root:/, 'nothing of the file is echoed');
  }
  assert.equal(existsSync(out), false);
});

test('report --help has examples', async () => {
  const r = await cli(['report', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Examples:/);
  assert.match(r.stdout, /--lang en\|ko/);
});
