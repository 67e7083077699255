import { describe, expect, it } from 'vitest';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { resourceArgs, securityArgs } from '../../cluster/agent-containers.js';
import { podUserOf } from '../../cluster/fs-group.js';
import type { Workload } from '../../cluster/manifest.js';
import { podCommandLine } from '../../cluster/pod-commands.js';

/** How the harness turns the StatefulSet's securityContext into podman flags and into the server's user, when the agent runs from its image. */

const USER = { uid: 999, gid: 999, fsGroup: 999 };

/** The `&restricted` securityContext of k8s/base/statefulset.yaml. */
const RESTRICTED: IContainer = {
  name: 'agent',
  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } },
};

function workloadWith(securityContext: IPodSpec['securityContext']): Workload {
  return { name: 'mysql', serviceName: 'mysql', pod: { containers: [RESTRICTED], securityContext }, secrets: new Map(), claimName: 'data', podManagementPolicy: 'OrderedReady' };
}

describe('resourceArgs', () => {
  it("gives podman the container's memory limit in bytes, as the kubelet sets the cgroup's", () => {
    // The sidecar's and the init container's limits in k8s/base/statefulset.yaml.
    expect(resourceArgs({ name: 'agent', resources: { requests: { memory: '128Mi' }, limits: { memory: '512Mi' } } })).toEqual(['--memory', '536870912']);
    expect(resourceArgs({ name: 'init', resources: { limits: { memory: '1Gi' } } })).toEqual(['--memory', '1073741824']);
  });

  it('sets no limit where the manifest sets none (a request alone is no limit)', () => {
    expect(resourceArgs({ name: 'x', resources: { requests: { memory: '128Mi' } } })).toEqual([]);
    expect(resourceArgs({ name: 'x' })).toEqual([]);
  });
});

describe('securityArgs', () => {
  it("gives the manifest's restricted container the pod's user and fsGroup, a read-only root without podman's own tmpfs, no capabilities, no privilege gain", () => {
    expect(securityArgs(RESTRICTED, USER)).toEqual([
      '--user', '999:999', '--group-add', '999',
      '--read-only', '--read-only-tmpfs=false',
      '--cap-drop', 'ALL',
      '--security-opt', 'no-new-privileges',
    ]);
  });

  it("takes a container's own user over the pod's, and adds only what it declares", () => {
    const container: IContainer = { name: 'x', securityContext: { runAsUser: 1000, runAsGroup: 1001, capabilities: { add: ['NET_ADMIN'] } } };
    expect(securityArgs(container, USER)).toEqual(['--user', '1000:1001', '--group-add', '999', '--cap-add', 'NET_ADMIN']);
  });

  it('refuses a privileged container', () => {
    expect(() => securityArgs({ name: 'x', securityContext: { privileged: true } }, USER)).toThrow(/x: a privileged container is not run by the harness/);
  });
});

describe('podUserOf', () => {
  it("reads runAsUser, runAsGroup and fsGroup from the pod's securityContext", () => {
    expect(podUserOf(workloadWith({ runAsUser: 999, runAsGroup: 998, fsGroup: 997 }))).toEqual({ uid: 999, gid: 998, fsGroup: 997 });
  });

  it('refuses a pod without an fsGroup: the volumes would not be the containers\' to write', () => {
    expect(() => podUserOf(workloadWith({ runAsUser: 999, runAsGroup: 999 }))).toThrow(/runAsUser, runAsGroup and fsGroup/);
  });
});

describe('podCommandLine with a user', () => {
  it('enters the pod as that uid and gid (nsenter drops the supplementary groups with it)', () => {
    expect(podCommandLine({ pausePid: 42, cmd: 'mariadbd', args: [], user: { uid: 999, gid: 999 } }).args).toEqual([
      '--target', '42', '--net', '--uts', '--mount', '--setuid=999', '--setgid=999', '--wd=/', '--', 'mariadbd',
    ]);
  });

  it('in an image root filesystem, chroot (still root) takes the uid and gid, with that gid alone as groups', () => {
    expect(podCommandLine({ pausePid: 42, cmd: 'mysqld', args: [], rootfs: '/img', user: { uid: 999, gid: 998 } }).args).toEqual([
      '--target', '42', '--net', '--uts', '--mount', '--wd=/', '--', 'chroot', '--userspec=999:998', '--groups=998', '/img', 'mysqld',
    ]);
  });
});
