import type * as Http from 'node:http';

/**
 * node:http as its CommonJS exports, never through `import … from 'node:http'`:
 * an ESM import builds the module's namespace from every export, and reading
 * node:http's WebSocket, MessageEvent and CloseEvent getters loads Node's
 * bundled undici (a 750 kB script, its heap and the code it runs): 12 MB of
 * idle RSS in the sidecar for nothing it uses (README, "Idle RSS in the image").
 */
export const nodeHttp: typeof Http = process.getBuiltinModule('node:http');
