import { directorySize } from '../../fs/directory-size.js';

/** A donor that sends nothing for this long is taken for dead (SIGSTOP, a cut link). */
export const STALL_TIMEOUT_MS = 60_000;
const WATCH_EVERY_MS = 1_000;

export type ProgressListener = (progress: { bytes: number; expectedBytes: number | undefined }) => void;

/**
 * With the socket handed to the extractor, node no longer sees the bytes:
 * progress (and a stalled donor) is read off the staging dir's growth.
 */
export function watchProgress(input: {
  dir: string;
  expectedBytes: number | undefined;
  onProgress: ProgressListener | undefined;
  onStall: () => void;
}) {
  let bytes = 0;
  let grewAt = Date.now();
  const state = { stalled: false };
  const timer = setInterval(() => {
    // A staging dir wiped under a sample (a stop, a failed try) must not become an unhandled rejection, which ends node.
    void directorySize(input.dir, () => false).catch(() => bytes).then((size) => {
      if (size > bytes) {
        bytes = size;
        grewAt = Date.now();
        input.onProgress?.({ bytes, expectedBytes: input.expectedBytes });
      } else if (Date.now() - grewAt > STALL_TIMEOUT_MS && !state.stalled) {
        state.stalled = true;
        input.onStall();
      }
    });
  }, WATCH_EVERY_MS);
  return {
    get stalled() {
      return state.stalled;
    },
    async stop(): Promise<number> {
      clearInterval(timer);
      bytes = Math.max(bytes, await directorySize(input.dir, () => false).catch(() => 0));
      return bytes;
    },
  };
}
