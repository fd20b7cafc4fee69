/** Content negotiation of perfscope's servers: the exposition format from `Accept`, gzip from `Accept-Encoding`. */

/** The format for an `Accept` header: OpenMetrics when it is acceptable with a q at least that of text. */
export function negotiate(accept: string | undefined): 'openmetrics' | 'text' {
  if (!accept) return 'text';
  let om = -1;
  let text = -1;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().split(';').map((s) => s.trim());
    let q = 1;
    let version: string | undefined;
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k === 'q') q = Number(v);
      else if (k === 'version') version = v;
    }
    if (!(q > 0)) continue;
    const t = type.toLowerCase();
    if (t === 'application/openmetrics-text' && (version === undefined || version.startsWith('1.0'))) om = Math.max(om, q);
    else if (t === 'text/plain' || t === '*/*' || t === 'text/*') text = Math.max(text, t === 'text/plain' ? q : q * 0.999);
  }
  return om > 0 && om >= text ? 'openmetrics' : 'text';
}

/** True when `Accept-Encoding` allows gzip (q > 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [enc = '', ...params] = part.trim().split(';').map((s) => s.trim());
    if (enc.toLowerCase() !== 'gzip') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
