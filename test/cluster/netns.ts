import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { BRIDGE, PREFIX_LENGTH } from './options.js';

/**
 * Network namespaces, veth pairs and the bridge, through `ip`. Nothing here
 * touches the host's own namespace: each veth is created with both ends
 * already inside namespaces, so the host never gets an interface or a route
 * into the test subnet and several clusters can reuse the same addresses.
 */

const NETNS_ETC = '/etc/netns';

async function ip(args: string[]): Promise<string> {
  const result = await execa('ip', args, { timeout: 10_000 });
  return result.stdout;
}

/** Runs `ip`, ignoring the failure when the object is already gone. */
async function ipIgnoringMissing(args: string[]): Promise<void> {
  const result = await execa('ip', args, { timeout: 10_000, reject: false });
  if (result.exitCode !== 0 && !/No such|Cannot find|does not exist|not found/i.test(result.stderr)) {
    throw new Error(`failed to run ip ${args.join(' ')}: ${result.stderr}`);
  }
}

/** `msa` + 5 hex digits, unused by any namespace on this machine. */
export async function newClusterId(): Promise<string> {
  const existing = await listNamespaces();
  for (let i = 0; i < 20; i++) {
    const id = `msa${randomBytes(3).toString('hex').slice(0, 5)}`;
    if (!existing.some((ns) => ns.startsWith(`${id}-`))) return id;
  }
  throw new Error('failed to pick a cluster id: 20 random ids were taken');
}

export async function listNamespaces(): Promise<string[]> {
  const out = await ip(['netns', 'list']);
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
}

/** A namespace with its loopback up (a fresh namespace has `lo` down). */
export async function addNamespace(name: string): Promise<void> {
  await ip(['netns', 'add', name]);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
}

export async function deleteNamespace(name: string): Promise<void> {
  await ipIgnoringMissing(['netns', 'delete', name]);
}

/** The bridge every pod and the DNS server plug into (STP is off by default: ports forward at once). */
export async function createBridge(ns: string): Promise<void> {
  await ip(['-n', ns, 'link', 'add', BRIDGE, 'type', 'bridge']);
  await ip(['-n', ns, 'link', 'set', BRIDGE, 'up']);
}

export interface VethSpec {
  /** Namespace holding the bridge. */
  bridgeNs: string;
  /** Name of the bridge-side end. */
  port: string;
  /** Namespace that gets the other end, named `eth0`. */
  ns: string;
  address: string;
}

/**
 * The MAC of an address, as Docker derives it (02:42 + the IPv4 bytes): a pod
 * recreated with the same address gets the same MAC, so its peers' ARP caches
 * stay right (with random MACs they would send to the old pod for seconds).
 */
export function macFor(address: string): string {
  const hex = address.split('.').map((part) => Number(part).toString(16).padStart(2, '0'));
  return ['02', '42', ...hex].join(':');
}

/** Plugs `ns` into the bridge with `address`/24 on its `eth0`. */
export async function connectToBridge(spec: VethSpec): Promise<void> {
  // A leftover port (its namespace was held open by a process) would make `add` fail.
  await deleteLink(spec.bridgeNs, spec.port);
  const peer = ['peer', 'name', 'eth0', 'address', macFor(spec.address), 'netns', spec.ns];
  await ip(['link', 'add', spec.port, 'netns', spec.bridgeNs, 'type', 'veth', ...peer]);
  await ip(['-n', spec.ns, 'addr', 'add', `${spec.address}/${PREFIX_LENGTH}`, 'dev', 'eth0']);
  await ip(['-n', spec.ns, 'link', 'set', 'eth0', 'up']);
  await ip(['-n', spec.bridgeNs, 'link', 'set', spec.port, 'master', BRIDGE, 'up']);
}

export async function setLinkUp(ns: string, ifname: string, up: boolean): Promise<void> {
  await ip(['-n', ns, 'link', 'set', ifname, up ? 'up' : 'down']);
}

export async function deleteLink(ns: string, ifname: string): Promise<void> {
  await ipIgnoringMissing(['-n', ns, 'link', 'delete', ifname]);
}

/** PIDs of every process in `ns`, including ones we did not start ourselves (children of agents). */
export async function namespacePids(ns: string): Promise<number[]> {
  const result = await execa('ip', ['netns', 'pids', ns], { timeout: 10_000, reject: false });
  if (result.exitCode !== 0) return [];
  return result.stdout
    .split('\n')
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}

/**
 * Files `ip netns exec` bind-mounts over /etc/<file> (resolv.conf, hosts), and
 * that the pause process's mount namespace therefore inherits.
 */
export function writeNetnsEtc(ns: string, files: Record<string, string>): void {
  const dir = join(NETNS_ETC, ns);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

/** One of those files on the host. */
export function netnsEtcFile(ns: string, name: string): string {
  return join(NETNS_ETC, ns, name);
}

export function removeNetnsEtc(ns: string): void {
  rmSync(join(NETNS_ETC, ns), { recursive: true, force: true });
}

/** Removes /etc/netns/<prefix>* (every namespace of one cluster when prefix is `<id>-`). */
export function removeNetnsEtcWithPrefix(prefix: string): void {
  if (!existsSync(NETNS_ETC)) return;
  for (const entry of readdirSync(NETNS_ETC)) {
    if (entry.startsWith(prefix)) rmSync(join(NETNS_ETC, entry), { recursive: true, force: true });
  }
}
