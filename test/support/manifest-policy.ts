import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { resolveCloneMethod, type CloneMethodSetting } from '../../src/clone/method.js';
import { parseServerVersion } from '../../src/mysql/server-version.js';
import { SETTINGS, type SettingDoc } from '../../src/settings.js';
import { CONTAINERS } from '../cluster/agent.js';
import { containerOf, readWorkload, type KubeObject, type Workload } from '../cluster/manifest.js';

/**
 * What rendered manifests must hold for the agent to work as shipped, as a list
 * of violations (empty when fine). Pure, so a unit test breaks each rule once.
 * The agent's side comes from the code: its settings table (names, defaults)
 * and, for probe paths, a predicate the caller builds from the real HTTP app.
 */

export interface PolicyInput {
  readonly objects: readonly KubeObject[];
  /** Whether the sidecar's HTTP app answers this path (not 404). */
  readonly servesPath: (path: string) => boolean;
}

type Settings = Record<string, SettingDoc>;
const settings: Settings = SETTINGS;
const AGENT_COMMAND = 'mysql-sts-agent';

function setting(env: Record<string, string>, name: keyof typeof SETTINGS): string {
  return env[name] ?? settings[name]?.default ?? '';
}

function plainEnv(container: IContainer): Record<string, string> {
  return Object.fromEntries((container.env ?? []).filter((v) => v.value !== undefined).map((v) => [v.name, v.value ?? '']));
}

/** Env names the agent reads: every setting, and `<NAME>_FILE` for secrets. */
function knownVariables(): Set<string> {
  const names = new Set(Object.keys(settings));
  for (const [name, doc] of Object.entries(settings)) if (doc.secret === true) names.add(`${name}_FILE`);
  return names;
}

function containerSecurity(container: IContainer): string[] {
  const context = container.securityContext;
  const problems: string[] = [];
  if (context?.privileged === true) problems.push(`${container.name}: privileged`);
  if (context?.allowPrivilegeEscalation !== false) problems.push(`${container.name}: allowPrivilegeEscalation is not false`);
  if (context?.readOnlyRootFilesystem !== true) problems.push(`${container.name}: root filesystem is not read-only`);
  if (!(context?.capabilities?.drop ?? []).includes('ALL')) problems.push(`${container.name}: capabilities are not dropped (drop: [ALL])`);
  if (context?.capabilities?.add !== undefined && context.capabilities.add.length > 0) problems.push(`${container.name}: adds capabilities`);
  if (context?.runAsUser === 0) problems.push(`${container.name}: runs as root`);
  if (container.resources?.requests === undefined || container.resources.limits?.['memory'] === undefined) {
    problems.push(`${container.name}: no resource requests or no memory limit`);
  }
  return problems;
}

function podSecurity(workload: Workload): string[] {
  const context = workload.pod.securityContext;
  const problems: string[] = [];
  if (context?.runAsNonRoot !== true) problems.push('pod: runAsNonRoot is not true');
  if (context?.runAsUser === undefined || context.runAsUser === 0) problems.push('pod: no non-zero runAsUser');
  if (workload.pod.hostNetwork === true || workload.pod.hostPID === true) problems.push('pod: shares a host namespace');
  return problems;
}

function httpProbe(container: IContainer, kind: 'startupProbe' | 'livenessProbe' | 'readinessProbe', port: number, input: PolicyInput): string[] {
  const probe: IProbe | undefined = container[kind];
  if (probe === undefined) return [`${container.name}: no ${kind}`];
  const get = probe.httpGet;
  if (get === undefined) return [`${container.name}: ${kind} is not an HTTP probe of the agent`];
  const problems: string[] = [];
  const probePort = typeof get.port === 'number' ? get.port : container.ports?.find((p) => p.name === get.port)?.containerPort;
  if (probePort !== port) problems.push(`${container.name}: ${kind} probes port ${String(get.port)}, the agent listens on ${port}`);
  if (!input.servesPath(get.path ?? '/')) problems.push(`${container.name}: ${kind} path ${get.path ?? '/'} is not served by the agent`);
  return problems;
}

function agentContainer(container: IContainer, args: readonly string[]): string[] {
  const problems: string[] = [];
  if (container.command?.[0] !== AGENT_COMMAND || JSON.stringify(container.args ?? []) !== JSON.stringify(args)) {
    problems.push(`${container.name}: runs ${[...(container.command ?? []), ...(container.args ?? [])].join(' ')}, expected ${AGENT_COMMAND} ${args.join(' ')}`);
  }
  const known = knownVariables();
  for (const variable of container.env ?? []) {
    if (!known.has(variable.name)) problems.push(`${container.name}: env ${variable.name} is not a setting the agent knows`);
  }
  problems.push(...secretFiles(container));
  return problems;
}

/** Each `*_FILE` must point into a volume mounted in that container. */
function secretFiles(container: IContainer): string[] {
  const env = plainEnv(container);
  return Object.entries(env)
    .filter(([name]) => name.endsWith('_FILE'))
    .filter(([, path]) => !(container.volumeMounts ?? []).some((mount) => path.startsWith(`${mount.mountPath}/`)))
    .map(([name, path]) => `${container.name}: ${name}=${path} is not on a mounted volume`);
}

function sidecarChecks(sidecar: IContainer, input: PolicyInput): string[] {
  const env = plainEnv(sidecar);
  const http = Number(setting(env, 'HTTP_PORT'));
  const clone = Number(setting(env, 'CLONE_PORT'));
  const problems = [...agentContainer(sidecar, ['serve'])];
  for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) problems.push(...httpProbe(sidecar, kind, http, input));
  if (sidecar.readinessProbe?.httpGet?.path !== '/readyz') problems.push(`${sidecar.name}: readinessProbe is not /readyz`);
  for (const port of sidecar.ports ?? []) {
    if (port.containerPort !== http && port.containerPort !== clone) problems.push(`${sidecar.name}: declares port ${port.containerPort}, the agent listens on ${http} and ${clone}`);
  }
  for (const port of [http, clone]) {
    if (!(sidecar.ports ?? []).some((p) => p.containerPort === port)) problems.push(`${sidecar.name}: does not declare port ${port}`);
  }
  return problems;
}

function serverChecks(server: IContainer, sidecar: IContainer): string[] {
  const mysqlPort = Number(setting(plainEnv(sidecar), 'MYSQL_PORT'));
  const problems: string[] = [];
  if (!(server.ports ?? []).some((port) => port.containerPort === mysqlPort)) problems.push(`${server.name}: does not declare port ${mysqlPort} (MYSQL_PORT)`);
  for (const kind of ['startupProbe', 'livenessProbe'] as const) if (server[kind] === undefined) problems.push(`${server.name}: no ${kind}`);
  const startup = server.startupProbe;
  // Crash recovery of a big InnoDB must never be cut short by the liveness probe.
  if (startup !== undefined && (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3) < 600) problems.push(`${server.name}: startupProbe allows less than 10 minutes`);
  return problems;
}

function serviceChecks(objects: readonly KubeObject[], workload: Workload, sidecar: IContainer): string[] {
  const env = plainEnv(sidecar);
  const problems: string[] = [];
  const serviceName = setting(env, 'SERVICE_NAME');
  if (serviceName !== workload.serviceName) problems.push(`SERVICE_NAME is ${serviceName} but the StatefulSet is governed by ${workload.serviceName}`);
  const service = objects.find((object) => object.kind === 'Service' && object.metadata.name === workload.serviceName);
  const spec = service?.['spec'] as { clusterIP?: string; publishNotReadyAddresses?: boolean; ports?: { name?: string }[] } | undefined;
  if (spec === undefined) return [...problems, `no Service ${workload.serviceName}`];
  if (spec.clusterIP !== 'None') problems.push(`Service ${workload.serviceName} is not headless`);
  if (spec.publishNotReadyAddresses !== true) problems.push(`Service ${workload.serviceName} does not publish not-ready addresses`);
  const portName = setting(env, 'SRV_PORT_NAME');
  if (!(spec.ports ?? []).some((port) => port.name === portName)) problems.push(`Service ${workload.serviceName} has no port named ${portName}: no SRV records`);
  return problems;
}

/** `name:tag` → [name, tag]. */
function splitImage(image: string | undefined): [string, string] {
  const at = (image ?? '').lastIndexOf(':');
  return at < 0 ? [image ?? '', ''] : [(image ?? '').slice(0, at), (image ?? '').slice(at + 1)];
}

/**
 * The agent image must carry what the set's clone method needs: nothing for
 * MySQL's CLONE plugin, else the backup tool of the server's flavour and
 * version line (mariadb-backup, XtraBackup).
 */
function imageChecks(init: IContainer, server: IContainer, sidecar: IContainer): string[] {
  const problems: string[] = [];
  if (init.image !== sidecar.image) problems.push(`${init.name} runs ${init.image ?? '?'} but ${sidecar.name} runs ${sidecar.image ?? '?'}`);
  const env = plainEnv(sidecar);
  const flavor = setting(env, 'MYSQL_FLAVOR') === 'mariadb' ? 'mariadb' : 'mysql';
  const [serverName, serverTag] = splitImage(server.image);
  const agentTag = splitImage(sidecar.image)[1];
  const line = /^(\d+\.\d+)/.exec(serverTag)?.[1] ?? serverTag;
  if (!serverName.endsWith(flavor)) problems.push(`MYSQL_FLAVOR is ${flavor} but the server image is ${server.image ?? '?'}`);
  const version = env['MYSQL_VERSION'];
  const method = cloneMethodOf(setting(env, 'CLONE_METHOD'), version ?? line, flavor);
  if (method.startsWith('invalid')) {
    problems.push(`CLONE_METHOD is ${method}`);
  } else if (method === 'clone-plugin') {
    if (!/^\d+\.\d+\.\d+$/.test(agentTag)) problems.push(`the agent image ${sidecar.image ?? '?'} carries a backup tool, but ${server.image ?? '?'} clones with the CLONE plugin: use the plain agent image`);
  } else {
    const tool = flavor === 'mariadb' ? 'mariadb' : 'xtrabackup';
    if (!agentTag.endsWith(`-${tool}-${line}`)) problems.push(`the agent image ${sidecar.image ?? '?'} does not carry ${tool} ${line} for server ${server.image ?? '?'}`);
  }
  if (version !== undefined && !version.startsWith(line)) problems.push(`MYSQL_VERSION ${version} is not on the server's line ${line}`);
  for (const container of [init, sidecar]) {
    const own = plainEnv(container);
    if (['MYSQL_VERSION', 'MYSQL_FLAVOR', 'CLONE_METHOD'].some((name) => own[name] !== env[name])) {
      problems.push(`${container.name}: MYSQL_FLAVOR/MYSQL_VERSION/CLONE_METHOD differ from ${sidecar.name}'s`);
    }
  }
  return problems;
}

/** The method the agent will use, by the agent's own rule; a choice it would refuse is reported as such. */
function cloneMethodOf(setting: string, version: string, flavor: 'mysql' | 'mariadb'): string {
  try {
    return resolveCloneMethod(setting as CloneMethodSetting, parseServerVersion(version, flavor));
  } catch (error) {
    return `invalid (${(error as Error).message})`;
  }
}

export function checkManifests(input: PolicyInput): string[] {
  const workload = readWorkload(input.objects);
  const init = containerOf(workload, CONTAINERS.init);
  const server = containerOf(workload, CONTAINERS.server);
  const sidecar = containerOf(workload, CONTAINERS.sidecar);
  const all = [...(workload.pod.initContainers ?? []), ...workload.pod.containers];
  return [
    ...podSecurity(workload),
    ...all.flatMap(containerSecurity),
    ...agentContainer(init, ['init']),
    ...sidecarChecks(sidecar, input),
    ...serverChecks(server, sidecar),
    ...serviceChecks(input.objects, workload, sidecar),
    ...imageChecks(init, server, sidecar),
  ];
}
