import { createHmac } from 'node:crypto';
import { Secret } from '../../secret.js';

/**
 * The donor-side user of the CLONE plugin: BACKUP_ADMIN only, from any host
 * (the recipient connects from its pod address; skip-name-resolve servers can
 * match nothing narrower). Its password is derived from CLONE_SECRET, which
 * already means "may take a full copy of the data": no new Secret key, and
 * every pod of the set computes the same one. The set is part of the
 * derivation: another set that shares the secret gets another password, so
 * its pods cannot clone ours (ARCHITECTURE.md, "Peers prove who they are").
 */
export const CLONE_USER = 'mysql_sts_clone';

export function clonePassword(cloneSecret: Secret, set: string): Secret {
  const derived = createHmac('sha256', cloneSecret.reveal()).update(`mysql-sts-agent clone-plugin user v2\n${set}`).digest('base64url');
  return new Secret(derived, `${cloneSecret.source} (derived clone user password)`);
}
