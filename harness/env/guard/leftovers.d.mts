/** Types of leftovers.mjs (plain JavaScript so the owner guard needs no TypeScript loader). */
export type Leftover =
  | {
      kind: 'processes';
      what: string;
      marker: string;
      /** The process group the started process leads (spawned detached). */
      group?: ProcessGroup;
      /** Its cgroup of its own, where the machine allows one (cgroups.mjs). */
      cgroup?: string;
    }
  | { kind: 'dir'; what: string; path: string }
  | { kind: 'container'; what: string; name: string; socketPath: string }
  | { kind: 'iptables-chain'; what: string; chain: string };

export interface ProcessGroup {
  pgid: number;
  /** Start time of the group's leader, so that a reused pid is not taken for the group. */
  leaderStartTime: string | undefined;
}

export interface OwnerRecord {
  pid: number;
  startTime: string | undefined;
  guardPid?: number;
  guardStartTime?: string;
  command?: string;
}

export const MARKER_VARIABLE: 'RPC_CHAOS_LEFTOVER';
export function ownersRoot(): string;
export function processStartTime(pid: number): string | undefined;
export function isAlive(owner: { pid: number; startTime: string | undefined }): boolean;
export function markedProcesses(marker: string): number[];
export function killMarkedProcesses(marker: string): number[];
export function processGroupMembersOf(group: ProcessGroup): number[];
export function killProcessGroupOf(group: ProcessGroup): number[];
export function removeContainer(socketPath: string, name: string): Promise<string>;
export function removeLeftover(leftover: Leftover): Promise<string | undefined>;
export function reapStateDir(stateDir: string): Promise<string[]>;
export function readOwner(stateDir: string): OwnerRecord | undefined;
export function reapDeadOwners(): Promise<string[]>;
export function removeIptablesChain(chain: string): 'removed' | 'absent' | string;
