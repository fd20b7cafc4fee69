/**
 * `perfscope/testing`: what perfscope's own tests use, for yours. Compare registries by value instead of
 * matching exposition text with regexes (client_golang's testutil), run a sampler on fake time, and
 * give it a fake /proc.
 */
export { collect, collectAndCompare, collectAndCount, sampleValue, seriesKey, toFloat64 } from './collect.js';
export type { Collectable, CompareOptions, ValueTable } from './collect.js';
export { FakeProcfs } from './fake-procfs.js';
export type { FakeCpuTicks, FakeDisk, FakeIo, FakeNetInterface, FakeProcess, FakeSystem } from './fake-procfs.js';
export { FakeClock } from '../core/clock.js';
export type { Clock, TimerHandle } from '../core/clock.js';
export { parseExposition } from '../metrics/parse.js';
export type { ParsedFamily, ParsedSample } from '../metrics/parse.js';
