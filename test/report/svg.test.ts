import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildChartModel } from '../../src/report/chart-model.js';
import { renderSvg, escapeXml } from '../../src/report/svg.js';
import { svgToPng } from '../../src/report/png.js';
import { syntheticRun } from '../helpers/synthetic-run.js';

test('the figure has CPU and memory panels, axis titles, grid, legend and the time axis', () => {
  const svg = renderSvg(buildChartModel(syntheticRun({ samples: 3600 })));
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="1200" height="\d+"/);
  for (const text of ['CPU usage over time', 'Memory usage over time', 'CPU usage (%)', 'Memory usage (%)', 'Time (s)', '>RSS<', 'total']) {
    assert.ok(svg.includes(text), `contains ${text}`);
  }
  assert.ok(svg.includes('I/O rate over time'), 'I/O panel when I/O was recorded');
  assert.ok(!svg.includes('Event-loop delay'), 'no loop panel without loop columns');
  assert.ok((svg.match(/<path d="M/g) ?? []).length >= 4, 'series lines drawn');
  assert.ok(svg.length < 400_000, `3,600 samples stay small: ${svg.length}`);
});

test('Korean labels', () => {
  const svg = renderSvg(buildChartModel(syntheticRun({ samples: 100, loopDelay: true }), { lang: 'ko' }));
  for (const text of ['CPU 사용량 (%)', '메모리 사용량 (%)', '시간 (초)', '시간에 따른 CPU 사용량', '이벤트 루프 지연']) {
    assert.ok(svg.includes(text), `contains ${text}`);
  }
});

test('user-supplied strings are escaped: title, command, comm names', () => {
  const run = syntheticRun({ samples: 600, children: true, command: ['sh', '-c', 'echo "<b>" & exit'] });
  const svg = renderSvg(buildChartModel(run, { title: 'A <script>alert(1)</script> & "B"' }));
  assert.ok(!svg.includes('<script>'), 'no raw markup from the title');
  assert.ok(svg.includes('A &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;B&quot;'));
  assert.ok(svg.includes('worker&lt;1&gt;'), 'comm names escaped');
  assert.ok(svg.includes('worker&amp;2'));
  assert.ok(!/worker<1>|worker&2/.test(svg));
  const untitled = renderSvg(buildChartModel(run));
  assert.ok(untitled.includes('echo &quot;&lt;b&gt;&quot; &amp; exit'), 'command in the default title escaped');
  assert.equal(escapeXml(`<&>"'`), '&lt;&amp;&gt;&quot;&#39;');
});

test('process trees get per-process lines and start/exit markers; missed samples a marker', () => {
  const run = syntheticRun({ samples: 900, children: true, missed: [450] });
  const model = buildChartModel(run);
  const cpu = model.panels.find((p) => p.id === 'cpu')!;
  assert.deepEqual(cpu.series.map((s) => s.id), ['cpu', 'cpu:pid:1000', 'cpu:pid:1001', 'cpu:pid:1002']);
  assert.deepEqual([...new Set(model.markers.map((m) => m.kind))].sort(), ['missed-sample', 'process-exit', 'process-start']);
  const svg = renderSvg(model);
  assert.ok(svg.includes('process start') && svg.includes('process exit') && svg.includes('missed sample'), 'marker legend');
  assert.ok(svg.includes('stroke="#2ca02c" stroke-width="1" stroke-dasharray="3 3"'), 'start lines drawn');
});

test('event-loop delay panel when recorded; more processes than lines are noted', () => {
  const run = syntheticRun({ samples: 300, children: true, loopDelay: true });
  const model = buildChartModel(run, { maxProcesses: 2 });
  assert.ok(model.panels.some((p) => p.id === 'loop'));
  assert.equal(model.panels.find((p) => p.id === 'cpu')!.note, '+1 more processes');
});

test('two runs overlay: second run dashed, names in the legend, bytes on the memory axis', () => {
  const a = syntheticRun({ samples: 600 });
  const b = syntheticRun({ samples: 900, intervalSeconds: 0.05 });
  const model = buildChartModel([
    { name: 'before', data: a },
    { name: 'after', data: b },
  ]);
  assert.equal(model.title, 'before vs after');
  const cpu = model.panels[0]!;
  assert.deepEqual(cpu.series.map((s) => [s.label, s.dash]), [
    ['before: total', null],
    ['after: total', '7 4'],
  ]);
  assert.equal(model.panels[1]!.unit, 'bytes');
  const svg = renderSvg(model);
  assert.ok(svg.includes('stroke-dasharray="7 4"'));
});

test('control characters and lone surrogates in a command or a process name keep the SVG well-formed; resvg draws it (issue 11.11)', () => {
  const hostile = 'evil\u001b[31m\u0000\u0007\ud800\uffff\tend';
  const run = syntheticRun({ samples: 300, children: true, command: ['sh', '-c', hostile] });
  for (const p of run.processes ?? []) p.comm = `w\u001b]0;x\u0007${p.pid}`;
  const svg = renderSvg(buildChartModel(run, { title: `t\u0001${hostile}` }));
  const forbidden = [...svg].filter((ch) => {
    const c = ch.codePointAt(0)!;
    return (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff || (c >= 0xd800 && c <= 0xdfff);
  });
  assert.deepEqual(forbidden, [], 'nothing XML 1.0 forbids');
  assert.ok(svg.includes('evil\\x1b[31m\\x00\\x07\ufffd\ufffd\tend'), 'shown, not dropped');
  // resvg parses XML strictly: the figure renders (before: "invalid XML" from resvg, exit 70).
  const png = svgToPng(svg);
  assert.ok(png.length > 1000);
  assert.equal(escapeXml('a\u0008b\ud83d\ude00c'), 'a\\x08b\ud83d\ude00c', 'a surrogate pair is kept whole');
});
