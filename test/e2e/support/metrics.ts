/** The value of a labelled series in a /metrics text, 0 when absent (a counter never incremented). */
export function counter(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
