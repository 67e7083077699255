import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

// `import … from 'node:http'` builds the module's ESM namespace, which reads
// its WebSocket/MessageEvent getters and so loads Node's bundled undici: 12 MB
// of the sidecar's idle RSS for nothing (src/node-http.ts). A fresh node
// (vitest's own process has loaded it already) imports every module the
// sidecar and init load, as built in dist/, and must not have loaded it.

const DIST = fileURLToPath(new URL('../../../dist/', import.meta.url));
const ENTRY_POINTS = ['lifecycle/serve.js', 'lifecycle/serve-http.js', 'lifecycle/init.js', 'clone/recipient/stream-clone.js', 'clone/donor/backup-process.js'];

describe('node:http without its ESM namespace', () => {
  it('leaves undici unloaded in every module serve and init import', async () => {
    const script = `for (const path of ${JSON.stringify(ENTRY_POINTS)}) await import(${JSON.stringify(DIST)} + path);
      console.log(JSON.stringify(process.moduleLoadList.filter((name) => /undici/.test(name))));`;
    const run = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([]);
  });
});
