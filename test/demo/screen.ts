import { renderLine, renderTable, type Snapshot } from './view.js';

/** Where the demo's output goes: a terminal redrawn in place, or plain lines for logs and CI. */
export interface Screen {
  /** The current state; a terminal redraws, plain output prints a line every few seconds. */
  frame(snapshot: Snapshot, guide: readonly string[]): void;
  /** Something happened (a pod became Ready, a container restarted). */
  event(line: string): void;
  /** A line that stays (the title, the summary, teardown); call it only while no frames are drawn. */
  print(line: string): void;
}

const PLAIN_EVERY_MS = 2_000;
const CLEAR_FROM_HOME = '\x1b[H\x1b[J';

export function createScreen(output: NodeJS.WriteStream, title: string): Screen {
  if (output.isTTY) return new TerminalScreen(output, title);
  output.write(`${title}\n`);
  return new PlainScreen(output);
}

/** Redraws the whole frame from the top: simple, and a resized terminal does not leave stale rows. */
class TerminalScreen implements Screen {
  constructor(
    private readonly output: NodeJS.WriteStream,
    private readonly title: string,
  ) {}

  frame(snapshot: Snapshot, guide: readonly string[]): void {
    const lines = [this.title, '', ...renderTable(snapshot), ...(guide.length > 0 ? ['', ...guide] : [])];
    this.output.write(`${CLEAR_FROM_HOME}${lines.join('\n')}\n`);
  }

  event(): void {
    // Events are part of the snapshot's table.
  }

  print(line: string): void {
    this.output.write(`${line}\n`);
  }
}

/** One status line every couple of seconds; events and the guide as they come. */
class PlainScreen implements Screen {
  private lastLine = 0;
  private guidePrinted = false;

  constructor(private readonly output: NodeJS.WriteStream) {}

  frame(snapshot: Snapshot, guide: readonly string[]): void {
    if (guide.length > 0 && !this.guidePrinted) {
      this.guidePrinted = true;
      this.output.write(`${guide.join('\n')}\n`);
    }
    const now = Date.now();
    if (now - this.lastLine < PLAIN_EVERY_MS) return;
    this.lastLine = now;
    this.output.write(`${renderLine(snapshot)}\n`);
  }

  event(line: string): void {
    this.output.write(`${line}\n`);
  }

  print(line: string): void {
    this.output.write(`${line}\n`);
  }
}
