import { AgentError } from '../errors.js';

/** `mysql-sts-agent status`: asks a sidecar's /status and prints it. */
export async function runStatus(input: { url: string; json: boolean; write: (text: string) => void }): Promise<void> {
  const url = new URL('/status', input.url);
  let body: unknown;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new AgentError('server', `failed to read status from ${url.href}: ${(error as Error).message}; is the sidecar running?`, {
      cause: error,
    });
  }
  input.write(input.json ? `${JSON.stringify(body, null, 2)}\n` : formatStatus(body));
}

/** Flat `key: value` lines; nested objects are indented under their key. */
export function formatStatus(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return `${indent}${String(value)}\n`;
  if (Array.isArray(value) && value.length === 0) return `${indent}(none)\n`;
  return Object.entries(value)
    .map(([key, item]) =>
      item !== null && typeof item === 'object'
        ? `${indent}${key}:\n${formatStatus(item, `${indent}  `)}`
        : `${indent}${key}: ${String(item)}\n`,
    )
    .join('');
}
