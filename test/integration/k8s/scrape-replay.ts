/**
 * Turns real /metrics scrapes of harness pods into promtool `input_series`,
 * as Prometheus would store them behind the ServiceMonitor: with the target
 * labels the endpoints role adds, and a scraped `pod` label renamed to
 * `exported_pod` (it collides with the target's). Process and Node.js
 * defaults are left out: no rule reads them.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: string;
}

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** One pod's scrape, held from `fromMinute` until the next scrape of that pod. */
export interface Scrape {
  readonly pod: string;
  readonly fromMinute: number;
  readonly text: string;
}

export const TARGET = { job: 'mysql', namespace: 'db', service: 'mysql' } as const;

/** The samples of a Prometheus text exposition (prom-client prints NaN as `Nan`). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line.trim());
    if (match === null || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[label[1] as string] = label[2] as string;
    samples.push({ name: match[1] as string, labels, value: /^nan$/i.test(match[3] as string) ? 'NaN' : (match[3] as string) });
  }
  return samples;
}

function seriesText(name: string, labels: Readonly<Record<string, string>>): string {
  const body = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}="${value}"`)
    .join(', ');
  return `${name}{${body}}`;
}

/**
 * Input series for `minutes` one-minute samples: each series takes the value
 * of its pod's latest scrape at that minute, `_` (no sample) where that scrape
 * lacks it, and `up` is 1 wherever the pod was scraped.
 */
export function replay(scrapes: readonly Scrape[], minutes: number): InputSeries[] {
  const byPod = new Map<string, Scrape[]>();
  for (const scrape of [...scrapes].sort((a, b) => a.fromMinute - b.fromMinute)) {
    byPod.set(scrape.pod, [...(byPod.get(scrape.pod) ?? []), scrape]);
  }
  const series = new Map<string, string[]>();
  for (const [pod, podScrapes] of byPod) {
    const target = { ...TARGET, pod, instance: `${pod}:8080` };
    podScrapes.forEach((scrape, index) => {
      const until = podScrapes[index + 1]?.fromMinute ?? minutes;
      const samples = [{ name: 'up', labels: {}, value: '1' }, ...parseExposition(scrape.text)].filter(
        (sample) => !/^mysql_sts_(process|nodejs)_/.test(sample.name),
      );
      for (const sample of samples) {
        const { pod: exported, ...own } = sample.labels;
        const labels = { ...own, ...(exported === undefined ? {} : { exported_pod: exported }), ...target };
        const key = seriesText(sample.name, labels);
        const values = series.get(key) ?? Array.from({ length: minutes }, () => '_');
        for (let minute = scrape.fromMinute; minute < until; minute++) values[minute] = sample.value;
        series.set(key, values);
      }
    });
  }
  return [...series].map(([key, values]) => ({ series: key, values: values.join(' ') }));
}
