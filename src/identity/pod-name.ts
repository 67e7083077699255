/**
 * A StatefulSet pod is named `<set>-<ordinal>`. The ordinal is the digits after
 * the last `-`; the set name may itself contain dashes and digits (`db-2-0` is
 * ordinal 0 of set `db-2`). Pod names are DNS labels, so the same rules apply.
 */

export interface PodName {
  readonly setName: string;
  readonly ordinal: number;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_LABEL_LENGTH = 63;

const EXPECTED = 'expected <statefulset>-<ordinal> such as mysql-0';

/** Parses a pod name; throws an Error whose message says what is wrong and what was expected. */
export function parsePodName(name: string): PodName {
  if (name.length === 0) {
    throw new Error(`pod name is empty: ${EXPECTED}`);
  }
  if (name.length > MAX_LABEL_LENGTH || !DNS_LABEL.test(name)) {
    throw new Error(
      `pod name ${JSON.stringify(name)} is not a DNS label (lowercase letters, digits and '-', at most 63): ${EXPECTED}`,
    );
  }
  const dash = name.lastIndexOf('-');
  const setName = dash > 0 ? name.slice(0, dash) : '';
  const digits = dash > 0 ? name.slice(dash + 1) : '';
  if (setName.length === 0 || !/^(0|[1-9][0-9]*)$/.test(digits)) {
    throw new Error(`pod name ${JSON.stringify(name)} has no ordinal: ${EXPECTED}`);
  }
  const ordinal = Number(digits);
  if (!Number.isSafeInteger(ordinal)) {
    throw new Error(`pod name ${JSON.stringify(name)} has an ordinal too large to be a StatefulSet ordinal`);
  }
  return { setName, ordinal };
}

export function formatPodName(pod: PodName): string {
  return `${pod.setName}-${pod.ordinal}`;
}
