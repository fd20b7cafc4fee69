/** The nginx parser walks the whole combined-log shape before taking the request time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NginxParser } from '../../../src/logs/parse/nginx-parser.js';
import { CALL, ERROR, MALFORMED, ParsedLine } from '../../../src/logs/parse/parsed-line.js';

const parse = (line: string): { r: number; out: ParsedLine; p: NginxParser } => {
  const p = new NginxParser();
  const buf = Buffer.from(line, 'utf8');
  const out = new ParsedLine();
  return { r: p.parse(buf, 0, buf.length, out), out, p };
};
const url = (out: ParsedLine): string => Buffer.from(out.urlBuf!.subarray(out.urlStart, out.urlEnd)).toString();

const LINE = '10.2.16.17 - alice [24/Nov/2026:18:00:05 +0100] "GET /api/users/62949/recommendations?page=2 HTTP/1.1" 200 39747 "https://shop/" "Mozilla/5.0 (X11) \\x22quoted\\x22" 0.021';

test('a combined line with $request_time: method, target, status, time zone, seconds', () => {
  const { r, out, p } = parse(LINE);
  assert.equal(r, CALL);
  assert.equal(p.methods.name(out.method), 'GET');
  assert.equal(url(out), '/api/users/62949/recommendations?page=2');
  assert.equal(out.status, 200);
  assert.equal(out.seconds, 0.021);
  assert.equal(out.timeMs, Date.UTC(2026, 10, 24, 17, 0, 5));
  assert.equal(out.failed, false);
});

test('5xx is an error; extra fields before the request time; HTTP/2; a bad request line is still a call', () => {
  let { r, out } = parse(LINE.replace('" 200 ', '" 502 '));
  assert.equal(r, CALL);
  assert.equal(out.failed, true);
  assert.equal(out.level, ERROR);
  ({ r, out } = parse(LINE.replace(' 0.021', ' "10.0.0.1, 10.0.0.2" upstream=0.019 0.021')));
  assert.equal(r, CALL);
  assert.equal(out.seconds, 0.021);
  ({ r, out } = parse(LINE.replace('HTTP/1.1', 'HTTP/2.0')));
  assert.equal(url(out), '/api/users/62949/recommendations?page=2');
  ({ r, out } = parse('203.0.113.9 - - [24/Nov/2026:18:00:05 +0000] "\\x16\\x03\\x01" 400 157 "-" "-" 0.000'));
  assert.equal(r, CALL);
  assert.equal(out.badRequest, true);
  assert.equal(out.status, 400);
  ({ r, out } = parse('203.0.113.9 - - [24/Nov/2026:18:00:05 -0530] "-" 408 0 "-" "-" 60.001'));
  assert.equal(out.badRequest, true);
  assert.equal(out.seconds, 60.001);
  assert.equal(out.timeMs, Date.UTC(2026, 10, 24, 23, 30, 5));
});

test('a line cut before its last field is malformed, never a call of the wrong duration', () => {
  const last = LINE.lastIndexOf(' ');
  for (let cut = 1; cut <= last; cut++) {
    const { r, out } = parse(LINE.slice(0, cut));
    assert.equal(r, MALFORMED, `cut at ${cut}: ${LINE.slice(0, cut)}`);
    assert.ok(['truncated', 'foreign'].includes(out.kind), out.kind);
  }
  // the trap: the status cut to "20" must not read as a 20-second request
  assert.equal(parse(LINE.slice(0, LINE.indexOf('" 200') + 4)).r, MALFORMED);
  for (const bad of ['-', 'nan', '-0.5', '1e3']) {
    const { r, out } = parse(LINE.replace(/ [\d.]+$/, ` ${bad}`));
    assert.equal(r, MALFORMED, bad);
    assert.equal(out.kind, 'bad-value');
  }
  for (const foreign of ['2026/11/24 17:00:01 [error] 1234#0: *5 upstream timed out', 'GET /index.html', '{"level":30}']) {
    assert.equal(parse(foreign).out.kind, 'foreign', foreign);
  }
  assert.equal(parse(LINE.replace('24/Nov/2026', '31/Feb/2026')).out.kind, 'foreign');
});

test('with quoted fields between the user agent and the request time, a line cut inside one is malformed', () => {
  // `"$http_x_forwarded_for" upstream=$upstream_response_time $request_time`: a cut inside the quoted
  // addresses left `… "10.0.0.1, 10.0` whose last field read as a 10-second request
  const line = LINE.replace(' 0.021', ' "10.0.0.1, 10.0.0.2" upstream=0.019 0.021');
  assert.equal(parse(line).out.seconds, 0.021);
  const last = line.lastIndexOf(' ');
  for (let cut = 1; cut <= last; cut++) {
    const { r, out } = parse(line.slice(0, cut));
    assert.equal(r, MALFORMED, `cut at ${cut}: …${line.slice(cut - 30, cut)} read as ${out.seconds} s`);
  }
  assert.equal(parse(line.slice(0, line.indexOf(', 10.0.0.2') + 6)).out.kind, 'truncated');
  // balanced quotes after the user agent are fields like any other
  assert.equal(parse(LINE.replace(' 0.021', ' "a" "b c" "" 0.021')).out.seconds, 0.021);
});

test('methods: 1-20 bytes of [A-Z_-] before a space inside the request; each distinct method keeps its own id', () => {
  const withRequest = (request: string): string => LINE.replace('GET /api/users/62949/recommendations?page=2 HTTP/1.1', request);
  const p = new NginxParser();
  const out = new ParsedLine();
  const read = (line: string): { r: number; method: string | null; url: string | null; bad: boolean } => {
    const buf = Buffer.from(line, 'utf8');
    const r = p.parse(buf, 0, buf.length, out);
    return { r, method: out.method >= 0 ? p.methods.name(out.method) : null, url: out.method >= 0 ? url(out) : null, bad: out.badRequest };
  };
  const m20 = 'M'.repeat(19) + '_';
  assert.deepEqual(read(withRequest(`${m20} /a HTTP/1.1`)), { r: CALL, method: m20, url: '/a', bad: false });
  assert.deepEqual(read(withRequest(`${m20}X /a HTTP/1.1`)), { r: CALL, method: null, url: null, bad: true });
  for (const bad of ['get /a HTTP/1.1', ' /a HTTP/1.1', 'GET', 'G\u00c9T /a HTTP/1.1']) assert.equal(read(withRequest(bad)).bad, true, bad);
  // the method ends at the first space, wherever the target starts
  assert.deepEqual(read(withRequest('GE T/a')), { r: CALL, method: 'GE', url: 'T/a', bad: false });
  // same length, first and last byte: one memo slot, never each other's id
  const seen = ['PUT', 'PAT', 'PUT', 'P-T', 'PAT', 'POST', 'PUT', 'OPTIONS', 'PAT'].map((m) => read(withRequest(`${m} /x HTTP/1.1`)).method);
  assert.deepEqual(seen, ['PUT', 'PAT', 'PUT', 'P-T', 'PAT', 'POST', 'PUT', 'OPTIONS', 'PAT']);
  assert.equal(p.methods.size, 7); // with the 20-byte method and GE
  // a user name or a referer other than '-' takes the general path
  assert.equal(read(LINE.replace(' alice ', ' - ').replace('"https://shop/"', '"-x"')).url, '/api/users/62949/recommendations?page=2');
  assert.equal(read(LINE.replace('"https://shop/"', '"-"')).r, CALL);
});
