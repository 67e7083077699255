import { describe, expect, it } from 'vitest';
import { StopSignal } from '../../demo/stop-signal.js';

/** Whether a promise has settled, after the current microtasks. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('StopSignal', () => {
  it('the first Ctrl-C stops; copies of the same press are ignored; a later press hurries; then only "please wait"', async () => {
    const said: string[] = [];
    const stop = new StopSignal((line) => said.push(line));
    stop.signal(1_000);
    expect(await stop.stopped).toBe('signal');
    stop.signal(1_200); // npm and tsx passing the same press on
    expect(await settled(stop.hurried)).toBe(false);
    stop.signal(3_000);
    expect(await settled(stop.hurried)).toBe(true);
    stop.signal(5_000);
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/skipping the summary/);
    expect(said[1]).toMatch(/still tearing down/);
  });

  it('after --duration ends the run, the first Ctrl-C hurries', async () => {
    const stop = new StopSignal(() => undefined);
    stop.stop('duration');
    expect(await stop.stopped).toBe('duration');
    stop.signal(1_000);
    expect(await settled(stop.hurried)).toBe(true);
  });

  it('once teardown runs, a press only gets "please wait"', async () => {
    const said: string[] = [];
    const stop = new StopSignal((line) => said.push(line));
    stop.stop('duration');
    stop.tearingDown();
    stop.signal(1_000);
    expect(said).toEqual(['still tearing down; please wait']);
    expect(await settled(stop.hurried)).toBe(false);
  });
});
