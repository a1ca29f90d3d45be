// @ts-check
/**
 * What a run leaves behind when its owner dies, and how to remove it. Plain JavaScript on
 * purpose: the owner guard (owner-guard.mjs) runs it without the TypeScript loader, so it
 * starts in tens of milliseconds and does not depend on anything the dead runner had loaded.
 *
 * A run's state directory, `<tmpdir>/rpc-chaos-owners/<pid>-<starttime>/`, holds `owner.json`
 * and one `<id>.json` per thing the owner started and must not outlive it:
 *   { "kind": "processes", "what": "rabbitmq node ...", "marker": "<owner>:<id>",
 *     "group": { "pgid": 1234, "leaderStartTime": "5678" }, "cgroup": "/sys/fs/cgroup/rpc-chaos-..." }
 *       every process whose environment holds RPC_CHAOS_LEFTOVER=<marker> (the node's beam,
 *       erl_child_setup and its own epmd, which daemonizes out of any process group); for a
 *       command or worker, also its process group and its cgroup (cgroups.mjs), which find
 *       the processes that dropped their environment (`env -i`, sudo, runuser)
 *   { "kind": "dir", "what": "...", "path": "/tmp/rpc-chaos-rabbit-..." }
 *   { "kind": "container", "what": "...", "name": "...", "socketPath": "/var/run/docker.sock" }
 *   { "kind": "iptables-chain", "what": "...", "chain": "RPCC-..." }   partition rules of a cluster
 * The owner deletes an entry once it stopped the thing itself.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeCgroup } from './cgroups.mjs';

export const MARKER_VARIABLE = 'RPC_CHAOS_LEFTOVER';
const DOCKER_TIMEOUT_MS = 8_000;

/** @returns {string} the directory holding one state directory per live (or dead) owner */
export function ownersRoot() {
  return join(tmpdir(), 'rpc-chaos-owners');
}

/**
 * Start time of a process in clock ticks since boot, from /proc; undefined when there is no
 * such process or it is a zombie. Pid plus start time survives pid reuse.
 * @param {number} pid
 * @returns {string | undefined}
 */
export function processStartTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}

/**
 * @param {{ pid: number, startTime: string | undefined }} owner
 * @returns {boolean}
 */
export function isAlive(owner) {
  const startTime = processStartTime(owner.pid);
  if (startTime === undefined) {
    if (existsSync('/proc/self/stat')) return false;
    // Without /proc (not Linux), fall back to "a process with this pid exists".
    try {
      process.kill(owner.pid, 0);
      return true;
    } catch (error) {
      return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
    }
  }
  return owner.startTime === undefined || startTime === owner.startTime;
}

/**
 * Pids of the processes carrying the marker in their environment (Linux only).
 * @param {string} marker
 * @returns {number[]}
 */
export function markedProcesses(marker) {
  const needle = `\0${MARKER_VARIABLE}=${marker}\0`;
  /** @type {number[]} */
  const pids = [];
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (`\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`.includes(needle)) pids.push(Number(entry));
    } catch {
      // Gone while we looked, or not ours to read.
    }
  }
  return pids;
}

/**
 * SIGKILLs every process carrying the marker. Synchronous, so it can run in an 'exit' handler.
 * @param {string} marker
 * @returns {number[]} the pids killed
 */
export function killMarkedProcesses(marker) {
  const killed = [];
  for (const pid of markedProcesses(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // Already gone.
    }
  }
  return killed;
}

/**
 * Processes (not zombies) of a process group, from the pgrp field of /proc/<pid>/stat.
 * @param {number} pgid
 * @returns {number[]}
 */
function processGroupMembers(pgid) {
  /** @type {number[]} */
  const members = [];
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') members.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return members;
}

/**
 * The live members of a process group the owner started, none if its id now names someone
 * else's group. A pid is not reused while a process group of that id has members, so a leader
 * whose start time differs from the recorded one means the owner's group had ended before; a
 * leader that is gone while members remain is the owner's group, orphaned. (Only a full pid
 * wrap-around in which the new holder of the id made a group and died could fool this.)
 * @param {{ pgid: number, leaderStartTime: string | undefined }} group
 * @returns {number[]}
 */
export function processGroupMembersOf(group) {
  const leaderStartTime = processStartTime(group.pgid);
  if (leaderStartTime !== undefined && group.leaderStartTime !== undefined && leaderStartTime !== group.leaderStartTime)
    return [];
  return processGroupMembers(group.pgid);
}

/**
 * SIGKILLs a process group the owner started (see processGroupMembersOf). Synchronous, so it
 * can run in an 'exit' handler.
 * @param {{ pgid: number, leaderStartTime: string | undefined }} group
 * @returns {number[]} the pids killed
 */
export function killProcessGroupOf(group) {
  const members = processGroupMembersOf(group);
  if (members.length === 0) return [];
  try {
    process.kill(-group.pgid, 'SIGKILL');
  } catch {
    return [];
  }
  return members;
}

/**
 * Force-removes a container through the Docker engine API (no docker CLI needed).
 * @param {string} socketPath
 * @param {string} name
 * @returns {Promise<'removed' | 'absent' | string>} a reason when it could not be removed
 */
export function removeContainer(socketPath, name) {
  return new Promise((resolve) => {
    const req = request(
      {
        socketPath,
        method: 'DELETE',
        path: `/containers/${encodeURIComponent(name)}?force=true&v=true`,
        timeout: DOCKER_TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve(
            res.statusCode === 404
              ? 'absent'
              : res.statusCode && res.statusCode < 300
                ? 'removed'
                : `engine answered ${res.statusCode}`,
          ),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${DOCKER_TIMEOUT_MS} ms`)));
    req.on('error', (error) => resolve(`engine at ${socketPath}: ${error.message}`));
    req.end();
  });
}

/**
 * Unhooks an iptables chain from INPUT and deletes it (partition rules of a dead run).
 * Synchronous, so it can run in an 'exit' handler.
 * @param {string} chain
 * @returns {'removed' | 'absent' | string} a reason when it could not be removed
 */
export function removeIptablesChain(chain) {
  /** @param {string[]} args */
  const iptables = (args) =>
    execFileSync('iptables', ['-w', '5', ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  try {
    iptables(['-n', '-L', chain]);
  } catch {
    return 'absent';
  }
  try {
    // A chain is referenced once per hook; bounded in case something hooked it several times.
    for (let i = 0; i < 16; i++) {
      try {
        iptables(['-D', 'INPUT', '-j', chain]);
      } catch {
        break;
      }
    }
    iptables(['-F', chain]);
    iptables(['-X', chain]);
    return 'removed';
  } catch (error) {
    return /** @type {Error} */ (error).message.split('\n')[0] ?? 'iptables failed';
  }
}

/**
 * @typedef {{ kind: 'processes', what: string, marker: string,
 *       group?: { pgid: number, leaderStartTime: string | undefined }, cgroup?: string }
 *   | { kind: 'dir', what: string, path: string }
 *   | { kind: 'container', what: string, name: string, socketPath: string }
 *   | { kind: 'iptables-chain', what: string, chain: string }} Leftover
 */

/**
 * Removes one leftover. Returns a line saying what was removed, or undefined when there was
 * nothing left (the owner had already stopped it).
 * @param {Leftover} leftover
 * @returns {Promise<string | undefined>}
 */
export async function removeLeftover(leftover) {
  switch (leftover.kind) {
    case 'processes': {
      const killed = new Set(killMarkedProcesses(leftover.marker));
      if (leftover.group) for (const pid of killProcessGroupOf(leftover.group)) killed.add(pid);
      let cgroupLeft = '';
      if (leftover.cgroup) {
        const { killed: inCgroup, removed } = await removeCgroup(leftover.cgroup);
        for (const pid of inCgroup) killed.add(pid);
        if (removed !== true) cgroupLeft = `; its cgroup ${leftover.cgroup} is still there: ${removed}`;
      }
      if (killed.size === 0) return cgroupLeft ? `could not remove what ${leftover.what} left${cgroupLeft}` : undefined;
      return `killed ${leftover.what} (pids ${[...killed].sort((a, b) => a - b).join(', ')})${cgroupLeft}`;
    }
    case 'dir': {
      if (!existsSync(leftover.path)) return undefined;
      rmSync(leftover.path, { recursive: true, force: true });
      return `removed ${leftover.what} ${leftover.path}`;
    }
    case 'container': {
      const outcome = await removeContainer(leftover.socketPath, leftover.name);
      if (outcome === 'absent') return undefined;
      return outcome === 'removed' ? `removed ${leftover.what}` : `could not remove ${leftover.what}: ${outcome}`;
    }
    case 'iptables-chain': {
      const outcome = removeIptablesChain(leftover.chain);
      if (outcome === 'absent') return undefined;
      return outcome === 'removed'
        ? `removed ${leftover.what} (iptables chain ${leftover.chain})`
        : `could not remove ${leftover.what}: ${outcome}`;
    }
    default:
      return `unknown leftover ${JSON.stringify(leftover)}`;
  }
}

/**
 * Removes everything a state directory lists, processes first (they hold the directories
 * and ports), then the state directory itself.
 * @param {string} stateDir
 * @returns {Promise<string[]>} one line per thing removed
 */
export async function reapStateDir(stateDir) {
  /** @type {Leftover[]} */
  const leftovers = [];
  let names = [];
  try {
    names = readdirSync(stateDir);
  } catch {
    return [];
  }
  for (const name of names) {
    if (name === 'owner.json' || !name.endsWith('.json')) continue;
    try {
      leftovers.push(JSON.parse(readFileSync(join(stateDir, name), 'utf8')));
    } catch {
      // Half-written by an owner killed mid-write: nothing was started yet for it.
    }
  }
  const order = { processes: 0, 'iptables-chain': 1, container: 2, dir: 3 };
  leftovers.sort((a, b) => (order[a.kind] ?? 3) - (order[b.kind] ?? 3));
  const lines = [];
  for (const leftover of leftovers) {
    const line = await removeLeftover(leftover);
    if (line) lines.push(line);
  }
  rmSync(stateDir, { recursive: true, force: true });
  return lines;
}

/**
 * @param {string} stateDir
 * @returns {{ pid: number, startTime: string | undefined, guardPid?: number, guardStartTime?: string,
 *   command?: string } | undefined}
 */
export function readOwner(stateDir) {
  try {
    return JSON.parse(readFileSync(join(stateDir, 'owner.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Finds state directories whose owner died and whose guard is gone too (killed with it, e.g.
 * by a CI job or the OOM killer), and removes what they list. Other live runs are left alone.
 * A directory is claimed by renaming it, so two runs starting together do not both reap it.
 * @returns {Promise<string[]>} one line per thing removed
 */
export async function reapDeadOwners() {
  const root = ownersRoot();
  let names = [];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const lines = [];
  for (const name of names) {
    const stateDir = join(root, name);
    const reaper = /\.reaping-(\d+)$/.exec(name);
    if (reaper) {
      // A reaper that died half-way: finish its work.
      if (processStartTime(Number(reaper[1])) !== undefined) continue;
      lines.push(...(await reapStateDir(stateDir)).map((line) => `rpc-chaos: a dead run left this behind: ${line}`));
      continue;
    }
    const owner = readOwner(stateDir);
    if (!owner || isAlive(owner)) continue;
    if (owner.guardPid !== undefined && isAlive({ pid: owner.guardPid, startTime: owner.guardStartTime })) continue;
    const claimed = `${stateDir}.reaping-${process.pid}`;
    try {
      renameSync(stateDir, claimed);
    } catch {
      continue;
    }
    const removed = await reapStateDir(claimed);
    for (const line of removed)
      lines.push(
        `rpc-chaos: a dead run (pid ${owner.pid}${owner.command ? `, ${owner.command}` : ''}) ` +
          `left this behind: ${line}`,
      );
  }
  return lines;
}
