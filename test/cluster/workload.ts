import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_MAIN } from '../support/agent.js';
import { readWorkload, renderManifests, type Workload } from './manifest.js';
import type { ResolvedOptions } from './options.js';

/** What a cluster takes from the manifests and the image before its first pod. */
/** The overlay's StatefulSet; its names must be the ones the cluster's DNS answers for. */
export async function loadWorkload(options: ResolvedOptions): Promise<Workload> {
  const workload = readWorkload(await renderManifests(options.overlay));
  if (workload.name !== options.statefulSet || workload.serviceName !== options.service) {
    throw new Error(
      `${options.overlay} declares StatefulSet ${workload.name} governed by Service ${workload.serviceName}; the cluster was asked for ${options.statefulSet} and ${options.service}`,
    );
  }
  return workload;
}

/** The image's `mysql-sts-agent` on the pods' PATH: the built CLI, run by the node on PATH (its shebang). */
export function installAgentCommand(binDir: string): void {
  mkdirSync(binDir, { recursive: true });
  symlinkSync(AGENT_MAIN, join(binDir, 'mysql-sts-agent'));
}

