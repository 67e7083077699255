import type { CloneInfo } from '../../data-dir/clone-info.js';
import { writeCloneInfo } from '../../data-dir/clone-info.js';
import { removeCloneRequest } from '../../data-dir/clone-request.js';
import type { DataDirLayout } from '../../data-dir/layout.js';
import { writeMarker } from '../../data-dir/marker.js';
import { cloneSeconds, donorOf, type ClonePluginProgress, type ClonePluginStatus } from './statements.js';

/**
 * A completed CLONE-plugin clone, recorded the way a streamed one is
 * (ARCHITECTURE.md, "The data directory"): clone.json with the coordinates
 * clone_status reports, then the marker, then the request goes.
 */
export async function recordPluginClone(layout: DataDirLayout, status: ClonePluginStatus, progress: ClonePluginProgress | undefined): Promise<CloneInfo> {
  const info: CloneInfo = {
    donor: donorOf(status) ?? status.source,
    coordinates: { gtid: status.gtidExecuted === '' ? undefined : status.gtidExecuted, binlogFile: status.binlogFile, binlogPosition: status.binlogPosition },
    bytes: progress?.bytes ?? 0,
    seconds: cloneSeconds(status),
    finishedAt: new Date().toISOString(),
  };
  await writeCloneInfo(layout, info);
  await writeMarker(layout, 'clone');
  await removeCloneRequest(layout);
  return info;
}
