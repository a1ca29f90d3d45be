/**
 * Checks and creates the places a run writes to (run folder, baseline file) before anything
 * starts, so a bad path costs a second, not a broker start or a finished run.
 *
 * Node's `mkdirSync(path, { recursive: true })` spins forever at 100 % CPU on a path under
 * /proc (Node 20: the kernel answers ENOENT for every level, and the retry loop never ends).
 * So folders are created here one level at a time from the first existing ancestor, after
 * that ancestor was found to be a directory on a real filesystem.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  realpathSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';

/** Filesystems that look like folders but cannot hold files (statfs f_type magic numbers). */
const PSEUDO_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
]);
const PSEUDO_ROOTS = ['/proc', '/sys'];

export class OutputPathError extends Error {
  override readonly name = 'OutputPathError';
}

/** What the path is for, as the user named it: `--out`, `--save-baseline`. */
export interface OutputTarget {
  readonly option: string;
  readonly path: string;
  readonly kind: 'folder' | 'file';
}

/**
 * Returns why `target` cannot be written, or undefined when it can: an empty path, a file
 * where a folder is wanted (or the reverse), a parent that is a file, a pseudo filesystem,
 * or a folder this process cannot write in (tried with a probe file, since permission bits
 * do not stop root but a read-only mount does).
 */
export function checkOutputPath(target: OutputTarget): string | undefined {
  const { option, kind } = target;
  if (target.path.trim() === '') return `${option}: the path is empty`;
  const path = resolve(target.path);
  const existing = statOrUndefined(path);
  if (existing) {
    if (kind === 'folder' && !existing.isDirectory())
      return `${option} ${target.path}: a file of that name exists; give a folder`;
    if (kind === 'file' && existing.isDirectory())
      return `${option} ${target.path}: that is a folder; give a file name, e.g. ${join(target.path, 'baseline.json')}`;
  }
  const folder = kind === 'folder' ? path : dirname(path);
  const ancestor = firstExistingAncestor(folder);
  if (!statSync(ancestor).isDirectory())
    return `${option} ${target.path}: ${ancestor} is a file, so no folder can be created under it`;
  const pseudo = pseudoFilesystemOf(ancestor);
  if (pseudo)
    return (
      `${option} ${target.path}: ${ancestor} is on the ${pseudo} pseudo filesystem, ` +
      `which cannot hold files; choose a folder on a disk, e.g. reports/`
    );
  const probeProblem = probeWrite(ancestor);
  if (probeProblem)
    return `${option} ${target.path}: cannot write in ${ancestor} (${probeProblem}); choose a folder you can write to`;
  if (kind === 'file' && existing) {
    try {
      closeSync(openSync(path, 'r+'));
    } catch (error) {
      return `${option} ${target.path}: the file exists and cannot be overwritten (${codeOf(error)})`;
    }
  }
  return undefined;
}

/**
 * `mkdir -p` that cannot hang: walks up to the first existing ancestor, refuses a file or a
 * pseudo filesystem there, then creates the missing levels one by one.
 */
export function makeDirectory(dir: string): void {
  const path = resolve(dir);
  const ancestor = firstExistingAncestor(path);
  if (!statSync(ancestor).isDirectory())
    throw new OutputPathError(`cannot create ${dir}: ${ancestor} is a file, not a folder`);
  const pseudo = pseudoFilesystemOf(ancestor);
  if (pseudo)
    throw new OutputPathError(
      `cannot create ${dir}: ${ancestor} is on the ${pseudo} pseudo filesystem, which cannot hold files`,
    );
  const missing: string[] = [];
  for (let level = path; level !== ancestor; level = dirname(level)) missing.unshift(level);
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      // Another process may create the same folder at the same moment.
      if (codeOf(error) !== 'EEXIST' || !statSync(level).isDirectory())
        throw new OutputPathError(`cannot create ${level}: ${(error as Error).message}`);
    }
  }
}

/** The path itself or its nearest ancestor that exists (the root always does). */
function firstExistingAncestor(path: string): string {
  let current = path;
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

function pseudoFilesystemOf(existingPath: string): string | undefined {
  let real = existingPath;
  try {
    real = realpathSync(existingPath);
    const type = Number(statfsSync(real).type);
    const name = PSEUDO_FILESYSTEMS.get(type);
    if (name) return name;
  } catch {
    // statfs unsupported here: fall back to the well-known mount points below.
  }
  const root = PSEUDO_ROOTS.find((candidate) => real === candidate || real.startsWith(`${candidate}/`));
  return root ? root.slice(1) : undefined;
}

function probeWrite(folder: string): string | undefined {
  const probe = join(folder, `.rpc-chaos-write-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (error) {
    return codeOf(error);
  }
  try {
    unlinkSync(probe);
  } catch {
    // Written but not removable (sticky folder of another user): writing works, which is what counts.
  }
  return undefined;
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
