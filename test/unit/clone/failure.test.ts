import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyFailure, cloneStatementFault, describeFault, formatGiB, localFaultIn, localFaultOf } from '../../../src/clone/failure.js';
import { AgentError, ConfigError } from '../../../src/errors.js';

// What the tools print, copied from runs on this machine (mbstream 10.11 into a full, a read-only tmpfs) and from MySQL's error texts.
const MBSTREAM_FULL = `\u0007mbstream: Error writing file './ibdata1' (Errcode: 28 "No space left on device")
[00] 2026-11-29 00:23:13 mbstream: my_write() failed.
[00] 2026-11-29 00:23:13 mbstream: out-of-order chunk`;
const MBSTREAM_READ_ONLY = `mbstream: Can't create/write to file './ibdata1' (Errcode: 30 "Read-only file system")
[00] 2026-11-29 00:23:16 mbstream: failed to create file.`;
const MBSTREAM_EXISTS = `mbstream: Can't create/write to file './big' (Errcode: 17 "File exists")`;

describe('localFaultIn: the OS error in a tool\'s output, wherever the line is', () => {
  it('finds ENOSPC in mbstream\'s first line when the last says out-of-order chunk', () => {
    expect(localFaultIn(MBSTREAM_FULL)).toEqual({ fault: 'no-space', line: `mbstream: Error writing file './ibdata1' (Errcode: 28 "No space left on device")` });
  });

  it('names a read-only volume, a denied write and a failing disk', () => {
    expect(localFaultIn(MBSTREAM_READ_ONLY)?.fault).toBe('read-only');
    expect(localFaultIn(`mbstream: Can't create/write to file './x' (Errcode: 13 "Permission denied")`)?.fault).toBe('permission');
    expect(localFaultIn('[ERROR] InnoDB: Operating system error number 5 in a file operation.')?.fault).toBe('io');
    expect(localFaultIn("Error writing file './#clone/#view_status_recipient' (OS errno 28 - No space left on device)")?.fault).toBe('no-space');
    expect(localFaultIn('[ERROR] InnoDB: Could not set the file size of \'./ibdata1\'. Probably out of disk space')?.fault).toBe('no-space');
  });

  it('does not take other errors for the volume\'s: EEXIST, a broken pipe, a donor gone', () => {
    expect(localFaultIn(MBSTREAM_EXISTS)).toBeUndefined();
    expect(localFaultIn('mariadb-backup: Error writing file \'(stdout)\' (errno: 32 "Broken pipe")')).toBeUndefined();
    expect(localFaultIn('mbstream: out-of-order chunk')).toBeUndefined();
    expect(localFaultIn('')).toBeUndefined();
  });

  it('never throws and only ever answers with a line of its input, without control characters', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 6 }), (lines) => {
        const found = localFaultIn(lines.join('\n'));
        if (found === undefined) return;
        expect(lines.map((line) => line.replace(/\p{Cc}/gu, '').trim())).toContain(found.line);
        expect(found.line).not.toMatch(/\p{Cc}/u);
      }),
    );
  });

  it('reads a failed system call\'s code', () => {
    const error = (code: string) => Object.assign(new Error(code), { code });
    expect(localFaultOf(error('ENOSPC'))).toBe('no-space');
    expect(localFaultOf(error('EDQUOT'))).toBe('no-space');
    expect(localFaultOf(error('EROFS'))).toBe('read-only');
    expect(localFaultOf(error('EACCES'))).toBe('permission');
    expect(localFaultOf(error('EIO'))).toBe('io');
    expect(localFaultOf(error('ECONNRESET'))).toBeUndefined();
    expect(localFaultOf(new Error('no code'))).toBeUndefined();
  });
});

describe('classifyFailure: what another try can fix', () => {
  it('stops everything for this volume\'s faults: no other donor and no other round can help', () => {
    for (const fault of ['volume-too-small', 'no-space', 'read-only', 'permission', 'io'] as const) {
      expect(classifyFailure(new AgentError('clone', 'x', { fault }))).toEqual({ permanent: true, nextDonorMayHelp: false });
    }
    expect(classifyFailure(new ConfigError(['CLONE_SECRET is required']))).toEqual({ permanent: true, nextDonorMayHelp: false });
  });

  it('lets the next donor try after a refused secret (one misconfigured donor), but no new round', () => {
    expect(classifyFailure(new AgentError('clone', '401', { fault: 'unauthorized' }))).toEqual({ permanent: true, nextDonorMayHelp: true });
  });

  it('keeps fallback and backoff for a donor gone, a cut stream, a stall, anything unknown', () => {
    for (const error of [new AgentError('clone', 'the stream from mysql-1 was cut'), new AgentError('prepare', 'x'), new Error('ECONNRESET'), 'text']) {
      expect(classifyFailure(error)).toEqual({ permanent: false, nextDonorMayHelp: true });
    }
  });
});

describe('cloneStatementFault: a failed CLONE INSTANCE', () => {
  it('takes MySQL\'s own space check and OS errors writing the clone for this volume\'s', () => {
    // MySQL 9.7.4's words (test/integration/clone/clone-plugin-disk-full.test.ts): ER_CLONE_DISK_SPACE before the copy, ER_ERROR_ON_WRITE during it.
    expect(cloneStatementFault(3873, 'Clone estimated database size is 354.23 MiB. Available space 69.01 MiB is not enough.')).toBe('volume-too-small');
    expect(cloneStatementFault(1026, "Error writing file 'app/bulk.ibd' (errno: 28 - No space left on device)")).toBe('no-space');
    expect(cloneStatementFault(3, "Error writing file './#clone/x' (OS errno 28 - No space left on device)")).toBe('no-space');
    expect(cloneStatementFault(1, "Can't create file './#clone' (OS errno 30 - Read-only file system)")).toBe('read-only');
  });

  it('leaves a donor\'s error to the donor, even when its disk is full', () => {
    expect(cloneStatementFault(3862, 'Clone Donor Error: 3 : Error writing file (OS errno 28 - No space left on device).')).toBeUndefined();
    expect(cloneStatementFault(2013, 'Lost connection to MySQL server during query')).toBeUndefined();
  });
});

describe('messages', () => {
  it('says each fault plainly, first', () => {
    expect(describeFault('no-space')).toBe('no space left on the data volume (ENOSPC)');
    expect(describeFault('read-only')).toBe('the data volume is read-only (EROFS)');
    expect(describeFault('volume-too-small')).toBe('volume too small');
  });

  it('formats sizes in GiB, with two decimals below 10 GiB', () => {
    expect(formatGiB(256 * 1024 ** 2)).toBe('0.25 GiB');
    expect(formatGiB(12.34 * 1024 ** 3)).toBe('12.3 GiB');
  });
});
