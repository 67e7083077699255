import { Transform, type TransformCallback } from 'node:stream';

/**
 * Gathers small writes into large ones. The backup tool writes the xbstream in
 * many small pieces; passed on one by one they become thousands of tiny HTTP
 * chunks and pipe writes, and on two cores that per-piece cost, not the disk,
 * bounds a clone. A timer flushes what is held when the source pauses, so a
 * slow tool never looks like a stalled stream.
 */
export function coalesce(targetBytes = 1 << 20, maxHoldMs = 50): Transform {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const release = (stream: Transform) => {
    clearTimeout(timer);
    timer = undefined;
    if (heldBytes === 0) return;
    stream.push(held.length === 1 ? held[0] : Buffer.concat(held, heldBytes));
    held = [];
    heldBytes = 0;
  };
  return new Transform({
    highWaterMark: targetBytes,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes >= targetBytes) release(this);
      else timer ??= setTimeout(() => release(this), maxHoldMs);
      callback();
    },
    flush(callback: TransformCallback) {
      release(this);
      callback();
    },
    destroy(error, callback) {
      clearTimeout(timer);
      callback(error);
    },
  });
}
