/** Code samples of the Markdown docs: extraction (test/docs.test.ts) and the settings they are checked with. */

export interface Sample {
  file: string;
  line: number;
  lang: string;
  code: string;
  mode: string;
  reason: string;
  prelude: string;
}

/** The fenced code blocks of a Markdown file, with the sample marker above each. */
export function extractSamples(file: string, markdown: string): Sample[] {
  const lines = markdown.split('\n');
  const out: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(Math.min(indent, lines[j]!.search(/\S|$/))));
    // The marker: an HTML comment ending on the last non-blank line above the fence.
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    let mode = '';
    let reason = '';
    let prelude = '';
    if (k >= 0 && lines[k]!.trim().endsWith('-->')) {
      let s = k;
      while (s > 0 && !lines[s]!.includes('<!--')) s--;
      const m = /<!--\s*sample:\s*([\w-]+)\s*(?:\(([^)]*)\))?\s*(-->)?\s*$/.exec(lines[s]!);
      if (m) {
        mode = m[1]!;
        reason = m[2] ?? '';
        prelude = lines.slice(s + 1, k + 1).join('\n').replace(/-->\s*$/, '');
      }
    }
    out.push({ file, line: i + 1, lang: open[2]!.toLowerCase(), code: body.join('\n'), mode, reason, prelude });
    i = j;
  }
  return out;
}

/**
 * The compiler options of NestJS 11's starter (nestjs/typescript-starter tsconfig.json, Feb 2026): a
 * CommonJS project (no "type" in package.json) compiled through nodenext, with legacy decorators.
 */
export const nestCompilerOptions = {
  module: 'nodenext',
  moduleResolution: 'nodenext',
  resolvePackageJsonExports: true,
  esModuleInterop: true,
  isolatedModules: true,
  removeComments: true,
  emitDecoratorMetadata: true,
  experimentalDecorators: true,
  allowSyntheticDefaultImports: true,
  target: 'ES2023',
  forceConsistentCasingInFileNames: true,
  skipLibCheck: true,
};
