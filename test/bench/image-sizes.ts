import { buildImages, imageName, podman } from '../support/podman.js';

/** The agent's images as `test/image-build.sh` builds them: the MariaDB one (with mariadb-backup) and the plain one (CLONE plugin, agent only). */
export const IMAGE_FLAVOURS = ['mariadb', 'plain'] as const;
export type ImageFlavour = (typeof IMAGE_FLAVOURS)[number];

/** The targets: the MariaDB image at most 200 MB; the plain one the smallest of them (reported, no bound of its own). */
export const IMAGE_TARGETS = { maxMariadbImageMb: 200 } as const;

export interface ImageLayer {
  /** The Dockerfile step that made it (`COPY dir:… in ./node_modules`), shortened. */
  readonly step: string;
  readonly bytes: number;
}

export interface ImageSize {
  readonly flavour: ImageFlavour;
  readonly reference: string;
  readonly id: string;
  /** Uncompressed, as `podman images` shows it (what the node's disk holds). */
  readonly bytes: number;
  /** Layers with content, oldest first (metadata steps have none). */
  readonly layers: readonly ImageLayer[];
  /** Built by this run because it was missing. */
  readonly built: boolean;
}

interface HistoryEntry {
  readonly CreatedBy?: string;
  readonly size?: number;
}

async function podmanOut(args: string[]): Promise<string> {
  const result = await podman(args);
  if (result.exitCode !== 0) throw new Error(`podman ${args.join(' ')} failed (exit ${result.exitCode}): ${String(result.stderr).trim().split('\n')[0]}`);
  return String(result.stdout);
}

/** `#(nop) COPY dir:<sha> in ./node_modules` → `COPY dir in ./node_modules`: the step, without build-cache noise. */
export function layerStep(createdBy: string): string {
  return createdBy
    .replace(/^\/bin\/sh -c #\(nop\)\s*/, '')
    .replace(/\b(dir|file):[0-9a-f]{64}/g, '$1')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);
}

/** Each image's size and its layers, building the missing ones first (test/image-build.sh, cached layers). */
export async function measureImageSizes(say: (line: string) => void): Promise<ImageSize[]> {
  const missing: ImageFlavour[] = [];
  for (const flavour of IMAGE_FLAVOURS) {
    if ((await podman(['image', 'exists', imageName(flavour)])).exitCode !== 0) missing.push(flavour);
  }
  if (missing.length > 0) {
    say(`  building ${missing.map(imageName).join(', ')} (test/image-build.sh)`);
    await buildImages(missing);
  }
  const sizes: ImageSize[] = [];
  for (const flavour of IMAGE_FLAVOURS) {
    const reference = imageName(flavour);
    const [id = '', size = ''] = (await podmanOut(['image', 'inspect', '--format', '{{.Id}} {{.Size}}', reference])).trim().split(' ');
    const history = JSON.parse(await podmanOut(['history', '--format', 'json', reference])) as HistoryEntry[];
    const layers = history
      .filter((entry) => (entry.size ?? 0) > 0)
      .map((entry) => ({ step: layerStep(entry.CreatedBy ?? ''), bytes: entry.size ?? 0 }))
      .reverse();
    sizes.push({ flavour, reference, id: id.slice(0, 12), bytes: Number(size), layers, built: missing.includes(flavour) });
  }
  return sizes;
}
