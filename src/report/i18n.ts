/** Every word a report shows, in English and Korean. Charts, the HTML page and the summary table read these. */

export type Lang = 'en' | 'ko';
export const langs: readonly Lang[] = ['en', 'ko'];

export interface Labels {
  timeAxis: string;
  cpuTitle: string;
  cpuAxis: string;
  memoryTitle: string;
  memoryAxis: string;
  memoryBytesAxis: string;
  ioTitle: string;
  ioAxis: string;
  loopTitle: string;
  loopAxis: string;
  treeTotal: string;
  rss: string;
  heapUsed: string;
  ioRead: string;
  ioWrite: string;
  loopP99: string;
  loopMax: string;
  processStart: string;
  processExit: string;
  missedSample: string;
  moreProcesses: (n: number) => string;
  defaultTitle: (command: string) => string;
  watchedPid: (pid: number) => string;
  // summary table and page
  summary: string;
  metadata: string;
  wallTime: string;
  userCpu: string;
  systemCpu: string;
  cpuStats: string;
  peakRss: string;
  ioRead_total: string;
  ioWrite_total: string;
  samples: string;
  missedDeadlines: string;
  processesSeen: string;
  exitStatus: string;
  command: string;
  host: string;
  started: string;
  interval: string;
  resetZoom: string;
  theme: string;
  zoomHint: string;
  mean: string;
}

const en: Labels = {
  timeAxis: 'Time (s)',
  cpuTitle: 'CPU usage over time',
  cpuAxis: 'CPU usage (%)',
  memoryTitle: 'Memory usage over time',
  memoryAxis: 'Memory usage (%)',
  memoryBytesAxis: 'RSS',
  ioTitle: 'I/O rate over time',
  ioAxis: 'I/O (bytes/s)',
  loopTitle: 'Event-loop delay over time',
  loopAxis: 'Delay (ms)',
  treeTotal: 'total',
  rss: 'RSS',
  heapUsed: 'heap used',
  ioRead: 'read',
  ioWrite: 'write',
  loopP99: 'p99',
  loopMax: 'max',
  processStart: 'process start',
  processExit: 'process exit',
  missedSample: 'missed sample',
  moreProcesses: (n) => `+${n} more processes`,
  defaultTitle: (command) => `perfscope: ${command}`,
  watchedPid: (pid) => `PID ${pid} (watched)`,
  summary: 'Summary',
  metadata: 'Run',
  wallTime: 'Wall time',
  userCpu: 'User CPU time',
  systemCpu: 'System CPU time',
  cpuStats: 'CPU %',
  peakRss: 'Peak RSS',
  ioRead_total: 'I/O read',
  ioWrite_total: 'I/O written',
  samples: 'Samples',
  missedDeadlines: 'Missed deadlines',
  processesSeen: 'Processes seen',
  exitStatus: 'Exit status',
  command: 'Command',
  host: 'Host',
  started: 'Started',
  interval: 'Interval',
  resetZoom: 'Reset zoom',
  theme: 'Dark / light',
  zoomHint: 'Drag across a chart to zoom, double-click to reset; click a legend entry to hide a series.',
  mean: 'mean',
};

const ko: Labels = {
  timeAxis: '시간 (초)',
  cpuTitle: '시간에 따른 CPU 사용량',
  cpuAxis: 'CPU 사용량 (%)',
  memoryTitle: '시간에 따른 메모리 사용량',
  memoryAxis: '메모리 사용량 (%)',
  memoryBytesAxis: 'RSS',
  ioTitle: '시간에 따른 I/O 속도',
  ioAxis: 'I/O (바이트/초)',
  loopTitle: '시간에 따른 이벤트 루프 지연',
  loopAxis: '지연 (ms)',
  treeTotal: '전체',
  rss: 'RSS',
  heapUsed: '힙 사용량',
  ioRead: '읽기',
  ioWrite: '쓰기',
  loopP99: 'p99',
  loopMax: '최대',
  processStart: '프로세스 시작',
  processExit: '프로세스 종료',
  missedSample: '누락된 샘플',
  moreProcesses: (n) => `외 프로세스 ${n}개`,
  defaultTitle: (command) => `perfscope: ${command}`,
  watchedPid: (pid) => `PID ${pid} (관찰)`,
  summary: '요약',
  metadata: '실행 정보',
  wallTime: '경과 시간',
  userCpu: '사용자 CPU 시간',
  systemCpu: '시스템 CPU 시간',
  cpuStats: 'CPU %',
  peakRss: '최대 RSS',
  ioRead_total: 'I/O 읽기',
  ioWrite_total: 'I/O 쓰기',
  samples: '샘플',
  missedDeadlines: '놓친 샘플링 시점',
  processesSeen: '관찰된 프로세스',
  exitStatus: '종료 상태',
  command: '명령',
  host: '호스트',
  started: '시작',
  interval: '간격',
  resetZoom: '확대 초기화',
  theme: '다크 / 라이트',
  zoomHint: '차트를 드래그하면 확대, 더블클릭하면 초기화됩니다. 범례를 클릭하면 시리즈를 숨깁니다.',
  mean: '평균',
};

export function labelsFor(lang: Lang): Labels {
  return lang === 'ko' ? ko : en;
}

export function isLang(value: string): value is Lang {
  return (langs as readonly string[]).includes(value);
}
