// Local write failures (a full disk, a read-only or failing volume, lost permissions) are a state of
// the daemon — `local disk full` with the real cause in its reason — never a crash. Whatever could
// not be committed locally is not counted as delivered: the watermark stays, and the batch is sent
// again with the same Idempotency-Key once writes work again.
import { SourceError } from '../sources/types.js';

const ERRNO = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS', 'EIO', 'EACCES', 'EPERM']);

const PLAIN: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'a file is larger than the volume allows',
  EROFS: 'the volume is read-only',
  EIO: 'the disk reported an I/O error',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  SQLITE_FULL: 'the disk is full',
  SQLITE_READONLY: 'the state database is read-only',
  SQLITE_CANTOPEN: 'the state database cannot be opened',
};

/** The code of a local write failure (state database, runtime or log file), or null for anything else. */
export function localWriteFailure(e: unknown): string | null {
  if (!e || typeof e !== 'object' || e instanceof SourceError) return null; // the plant's database: not ours
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string') return null;
  if (ERRNO.has(code)) return code;
  if (code === 'SQLITE_FULL' || code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_IOERR')) return code;
  return null;
}

/** One sentence for the state's reason: what failed, why, and what to do. */
export function diskProblemReason(code: string, where: string): string {
  const why = PLAIN[code] ?? (code.startsWith('SQLITE_IOERR') ? 'the disk reported an I/O error' : 'a write failed');
  return `Outpost cannot write ${where} (${code}: ${why}); free space or fix the volume — it retries by itself, and nothing that could not be recorded counts as delivered.`;
}
