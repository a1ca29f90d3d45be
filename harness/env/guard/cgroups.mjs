// @ts-check
/**
 * Cgroups (v2, the unified hierarchy) for what the harness starts: each guarded command or
 * worker goes into a cgroup of its own, `rpc-chaos-<owner key>-<id>`, made below the cgroup
 * the harness process itself runs in (so a delegated subtree works too). A process
 * leaves a process group with setsid or a double fork, and its environment with `env -i`,
 * sudo or runuser; it leaves its cgroup only through a write to cgroup.procs, which needs
 * write access to the cgroups involved. Killing every process in the cgroup therefore also
 * reaches daemons a command started.
 *
 * Plain JavaScript like leftovers.mjs: the owner guard runs it without the TypeScript loader.
 * Linux only; every function answers "none" where there is no writable unified hierarchy.
 */
import { existsSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Deeper than any cgroup tree the harness makes (one level), bounded so a walk always ends. */
const MAX_DEPTH = 8;

/**
 * The mount of the unified hierarchy: its mount point and the cgroup path at that mount point
 * (not `/` when a container sees only its own subtree). Undefined without cgroup v2.
 * @returns {{ mountPoint: string, mountRoot: string } | undefined}
 */
function unifiedMount() {
  let mountinfo = '';
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of mountinfo.split('\n')) {
    // <id> <parent> <major:minor> <root> <mount point> <options> [optional fields...] - <type> <source> <super options>
    const [mountFields, typeFields] = line.split(' - ');
    if (!mountFields || !typeFields || typeFields.split(' ')[0] !== 'cgroup2') continue;
    const fields = mountFields.split(' ');
    const mountRoot = fields[3];
    const mountPoint = fields[4];
    if (mountRoot !== undefined && mountPoint !== undefined)
      return { mountPoint: unescapeMountPath(mountPoint), mountRoot: unescapeMountPath(mountRoot) };
  }
  return undefined;
}

/** mountinfo writes space, tab, newline and backslash as octal escapes. @param {string} path */
function unescapeMountPath(path) {
  return path.replace(/\\([0-7]{3})/g, (_, octal) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * @returns {string | undefined} where the unified hierarchy is mounted, e.g. /sys/fs/cgroup or
 *   /sys/fs/cgroup/unified
 */
export function cgroupsRoot() {
  return unifiedMount()?.mountPoint;
}

/**
 * The directory of this process's own cgroup in the unified hierarchy, from /proc/self/cgroup
 * (its `0::<path>` line). Undefined without cgroup v2, or when this process's cgroup lies
 * outside what is mounted here.
 * @returns {string | undefined}
 */
export function ownCgroupDir() {
  const mount = unifiedMount();
  if (!mount) return undefined;
  let own = '';
  try {
    own =
      readFileSync('/proc/self/cgroup', 'utf8')
        .split('\n')
        .find((line) => line.startsWith('0::'))
        ?.slice(3) ?? '';
  } catch {
    return undefined;
  }
  if (!own.startsWith('/')) return undefined;
  const root = mount.mountRoot === '/' ? '' : mount.mountRoot;
  if (root !== '' && own !== root && !own.startsWith(`${root}/`)) return undefined;
  const dir = join(mount.mountPoint, own.slice(root.length));
  return existsSync(join(dir, 'cgroup.procs')) ? dir : undefined;
}

/**
 * Subdirectories of a cgroup, deepest first, the cgroup itself last.
 * @param {string} dir
 * @returns {string[]}
 */
function cgroupTree(dir, depth = 0) {
  /** @type {string[]} */
  const tree = [];
  if (depth < MAX_DEPTH) {
    try {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) tree.push(...cgroupTree(join(dir, entry.name), depth + 1));
      }
    } catch {
      // Gone, or never there.
    }
  }
  tree.push(dir);
  return tree;
}

/**
 * Pids of the processes in a cgroup and in the cgroups below it.
 * @param {string} dir
 * @returns {number[]}
 */
export function cgroupProcesses(dir) {
  /** @type {number[]} */
  const pids = [];
  for (const cgroup of cgroupTree(dir)) {
    try {
      for (const line of readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').split('\n')) {
        if (/^\d+$/.test(line)) pids.push(Number(line));
      }
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}

/**
 * Moves a process into a cgroup. Throws what the kernel said (EACCES without delegation,
 * ESRCH when the process is gone).
 * @param {string} dir
 * @param {number} pid
 */
export function moveIntoCgroup(dir, pid) {
  writeFileSync(join(dir, 'cgroup.procs'), `${pid}\n`);
}

/**
 * SIGKILLs every process in a cgroup and below it: at once through cgroup.kill (Linux 5.14
 * and later), else one by one (a process forking meanwhile is caught by the next call).
 * Synchronous, so it can run in an 'exit' handler.
 * @param {string} dir
 * @returns {number[]} the pids that were in it
 */
export function killCgroup(dir) {
  const pids = cgroupProcesses(dir);
  if (pids.length === 0) return pids;
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1\n');
    return pids;
  } catch {
    // No cgroup.kill on this kernel.
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids;
}

/**
 * Removes a cgroup and the cgroups below it, if no process is left in them. Synchronous.
 * @param {string} dir
 * @returns {true | string} true when it is gone, else why not
 */
export function removeEmptyCgroup(dir) {
  for (const cgroup of cgroupTree(dir)) {
    try {
      rmdirSync(cgroup);
    } catch (error) {
      const code = /** @type {NodeJS.ErrnoException} */ (error).code;
      if (code !== 'ENOENT') return `${code ?? 'rmdir failed'}${code === 'EBUSY' ? ' (processes still in it)' : ''}`;
    }
  }
  return true;
}

/** How long removeCgroup waits for the killed processes to exit; SIGKILLed processes go within milliseconds. */
const REMOVE_BOUND_MS = 5_000;
const REMOVE_POLL_MS = 20;

/**
 * Kills everything in a cgroup and removes it, polling until its processes have exited,
 * within `boundMs`.
 * @param {string} dir
 * @param {number} [boundMs]
 * @returns {Promise<{ killed: number[], removed: true | string }>} the pids killed, and true or why it is still there
 */
export async function removeCgroup(dir, boundMs = REMOVE_BOUND_MS) {
  const killed = new Set(killCgroup(dir));
  const deadline = Date.now() + boundMs;
  let removed = removeEmptyCgroup(dir);
  while (removed !== true && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, REMOVE_POLL_MS));
    for (const pid of killCgroup(dir)) killed.add(pid);
    removed = removeEmptyCgroup(dir);
  }
  return { killed: [...killed], removed };
}
