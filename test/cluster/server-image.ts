import { ensureTemplate, INSTALL_DB_ARGS } from './datadir.js';
import { CONTAINERS } from './containers.js';
import { containerOf, type Workload } from './manifest.js';
import { renderInitSql, renderMyCnf } from './mysql-files.js';
import { ensureMysqlTemplate, INITIALIZE_ARGS, MYSQL_LOG_DIR, MYSQL_ROOTFS, PER_POD_FILES, renderMysqlCnf, renderMysqlInitSql } from './mysql-image.js';
import { CONTAINER_PATHS, type PodPaths } from './options.js';
import { requireRootfs } from './rootfs.js';

/**
 * The server container's image as the harness plays it, chosen from the
 * StatefulSet's server container: `mariadb:*` is the host's own MariaDB,
 * `mysql:9.7` is MySQL from a Debian sid root filesystem run under chroot.
 */
export interface ServerImage {
  /** As the manifest names it: `mariadb:10.11`, `mysql:9.7`. */
  readonly reference: string;
  readonly flavor: 'mariadb' | 'mysql';
  /** The server's command. */
  readonly daemon: string;
  /** The image's root filesystem, which the server container's commands run in; undefined: the host's own files. */
  readonly rootfs: string | undefined;
  /**
   * Start the server again when it exits on its own, as restartPolicy: Always
   * does. MySQL needs it (a CLONE INSTANCE ends with mysqld exiting); for
   * MariaDB the tests and the demo restart the server themselves.
   */
  readonly restartOnExit: boolean;
  /** Where the server sees the pod's logs dir. */
  logDir(paths: PodPaths): string;
  renderMyCnf(paths: PodPaths): string;
  /** The entrypoint's first-boot SQL (root's password from the Secret), as an --init-file. */
  renderInitSql(rootPassword: string): string;
  /** The initialised data dir an empty pod starts from, built once per machine under `root`. */
  ensureTemplate(root: string): Promise<string>;
  /** Template files each copy drops, so the server makes its own. */
  readonly perPodFiles: readonly string[];
  /** Initialises an empty data dir in the pod when there is no template. */
  readonly initialiseCommand: { readonly cmd: string; readonly args: readonly string[] };
}

const MARIADB: Omit<ServerImage, 'reference'> = {
  flavor: 'mariadb',
  daemon: 'mariadbd',
  rootfs: undefined,
  restartOnExit: false,
  logDir: (paths) => paths.logs,
  renderMyCnf: (paths) => renderMyCnf(paths.logs),
  renderInitSql,
  ensureTemplate,
  perPodFiles: [],
  initialiseCommand: { cmd: 'mariadb-install-db', args: [`--defaults-file=${CONTAINER_PATHS.myCnf}`, ...INSTALL_DB_ARGS] },
};

const MYSQL_9_7: Omit<ServerImage, 'reference'> = {
  flavor: 'mysql',
  daemon: 'mysqld',
  rootfs: MYSQL_ROOTFS,
  restartOnExit: true,
  logDir: () => MYSQL_LOG_DIR,
  renderMyCnf: renderMysqlCnf,
  renderInitSql: renderMysqlInitSql,
  ensureTemplate: ensureMysqlTemplate,
  perPodFiles: PER_POD_FILES,
  initialiseCommand: { cmd: 'mysqld', args: [`--defaults-file=${CONTAINER_PATHS.myCnf}`, ...INITIALIZE_ARGS] },
};

/** The image of the workload's server container; throws for an image the harness cannot run. */
export function serverImageFor(workload: Workload): ServerImage {
  const reference = containerOf(workload, CONTAINERS.server).image ?? '';
  if (/^mariadb(:|$)/.test(reference)) return { reference, ...MARIADB };
  if (reference === 'mysql:9.7') {
    requireRootfs(MYSQL_9_7.rootfs ?? '', reference);
    return { reference, ...MYSQL_9_7 };
  }
  throw new Error(`the harness runs mariadb:* and mysql:9.7 server images; the manifest's ${CONTAINERS.server} container has ${reference || 'no image'}`);
}
