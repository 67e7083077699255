import { DATA_DIR_AGENT_DIR } from './layout.js';

/**
 * Top-level entries of a data dir that a physical backup does not carry: the
 * agent's own dir, binlogs and relay logs, the redo log (the tool copies only
 * what is written while it runs) and the temporary tablespace. On a small set
 * the last two are most of the data dir, so counting them would stall a
 * progress bar far below 100%.
 */
const NOT_IN_BACKUP = /^(mysql|relay)-bin\.|^ib_logfile\d+$|^ibtmp\d+$/;

export function isOutsideBackup(topLevelName: string): boolean {
  return topLevelName === DATA_DIR_AGENT_DIR || NOT_IN_BACKUP.test(topLevelName);
}
