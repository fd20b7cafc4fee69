// Watching the current Node process from inside, as a stream: CPU, RSS and the event loop's delay,
// while it does some blocking work. Run it:  node examples/self-monitor/index.js
import { Sampler } from 'perfscope';

const sampler = new Sampler({ intervalMs: 200, durationMs: 2000, system: false, keepAlive: true });
sampler.on('sample', (s) => {
  const t = s.tree;
  const lag = t.event_loop_delay_max_seconds === null ? '-' : `${(t.event_loop_delay_max_seconds * 1000).toFixed(1)} ms`;
  console.log(`t=${s.t.toFixed(1)} s  cpu=${t.cpu_percent?.toFixed(0) ?? '-'} %  rss=${(t.rss_bytes / 2 ** 20).toFixed(0)} MiB  loop delay max=${lag}`);
});
sampler.start();

// Block the loop for 150 ms every 500 ms: the delay shows up in the samples.
const timer = setInterval(() => {
  const end = Date.now() + 150;
  while (Date.now() < end);
}, 500);
console.log(`ended: ${(await sampler.done).reason}`);
clearInterval(timer);
