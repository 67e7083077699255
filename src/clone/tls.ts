import { readFile } from 'node:fs/promises';
import type { CloneTlsFiles } from '../config.js';
import { AgentError } from '../errors.js';
import type { MutualTls } from '../http/fastify.js';

/** Reads the mounted certificate Secret when TLS is configured (at use, so a rotated Secret is picked up on restart). */
export async function loadCloneTls(files: CloneTlsFiles | undefined): Promise<MutualTls | undefined> {
  if (files === undefined) return undefined;
  try {
    const [cert, key, ca] = await Promise.all([readFile(files.cert), readFile(files.key), readFile(files.ca)]);
    return { cert, key, ca };
  } catch (error) {
    throw new AgentError('config', `failed to read the clone TLS files: ${(error as Error).message}`, { cause: error });
  }
}
