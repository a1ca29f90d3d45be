import type { ProcessResources, Resources } from '../../model/process-resources.ts';
import { procAvailable, readAllProcStats, type ProcStat, TICKS_PER_SECOND, uptimeSeconds } from './proc-stat.ts';
import { ThinnedSeries } from './thinned-series.ts';

/**
 * Samples the memory and CPU of the processes a run started, about once a second, from /proc.
 * Each sampled process is a leader with everything it started: its descendants, and the members
 * of its process group when it leads one (an external command's shell and its program, a
 * broker's beam and erl_child_setup). A process that is gone leaves a gap; one that comes back
 * under the same name (a restarted broker) goes on in the same series. CPU is counted between
 * two readings, so the first reading of a process (or of its restart) makes no point.
 */
export type ProcessRole = ProcessResources['role'];

export interface SampledProcess {
  readonly name: string;
  readonly role: ProcessRole;
  /** The leader's pid now; undefined while it does not run. */
  readonly pid: number | undefined;
}

export const RESOURCE_INTERVAL_MS = 1000;
/** 15 minutes at one point a second; a longer run's points each stand for 2, 4, ... seconds. */
export const MAX_RESOURCE_POINTS = 900;
/** CPU time comes in 10 ms ticks: over a quarter second that is within 4 % of a core. */
const MIN_READING_GAP_S = 0.25;

interface Tracked {
  readonly role: ProcessRole;
  readonly series: ThinnedSeries;
  /** pid:startTicks of the leader: a new one is a new process (restarted, or a reused pid). */
  identity: string;
  /** CPU ticks of each member at the last reading, by pid:startTicks. */
  memberTicks: Map<string, number>;
  lastUptime: number | undefined;
}

export class ResourceSampler {
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | undefined;
  private readings = 0;
  private cpuUs = 0;
  private unavailable: string | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly processes: () => readonly SampledProcess[],
    private readonly options: { readonly intervalMs?: number; readonly maxPoints?: number } = {},
  ) {}

  start(): this {
    if (!procAvailable()) {
      this.unavailable = 'no /proc to read (not Linux): memory and CPU were not sampled';
      return this;
    }
    void this.readNow();
    this.timer = setInterval(() => void this.readNow(), this.options.intervalMs ?? RESOURCE_INTERVAL_MS);
    this.timer.unref();
    return this;
  }

  /** Idempotent; waits for a reading under way, then takes a last one so that the end of the run is in the series. */
  async stop(): Promise<void> {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
    await this.readNow();
  }

  /**
   * One reading of every process; never rejects (a reading that fails ends the sampling, with the
   * reason). A reading still under way when the next is due makes the next one skip.
   */
  readNow(): Promise<void> {
    if (this.unavailable || this.inFlight) return this.inFlight ?? Promise.resolve();
    const cpuBefore = process.cpuUsage();
    this.inFlight = this.read()
      .catch((error: Error) => {
        this.unavailable = `sampling stopped: /proc could not be read (${error.message})`;
        if (this.timer) clearInterval(this.timer);
      })
      .finally(() => {
        const cpu = process.cpuUsage(cpuBefore);
        this.cpuUs += cpu.user + cpu.system;
        this.readings++;
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /**
   * CPU time of this process per reading, in µs: what sampling costs, as long as nothing else runs
   * in the process meanwhile (a test), else an upper bound.
   */
  cpuUsPerReading(): number | undefined {
    return this.readings > 0 ? this.cpuUs / this.readings : undefined;
  }

  /** The series, with times relative to the run start; readings from before it are left out. */
  result(runStartEpochMs: number): Resources {
    return {
      intervalMs: this.options.intervalMs ?? RESOURCE_INTERVAL_MS,
      processes: [...this.tracked].map(([name, tracked]) => ({
        name,
        role: tracked.role,
        samples: tracked.series
          .values()
          .filter((point) => point.atMs >= runStartEpochMs)
          .map((point) => ({
            tMs: point.atMs - runStartEpochMs,
            rssBytes: point.rssBytes,
            cpuPercent: Math.round(point.cpuPercent * 10) / 10,
          })),
      })),
      ...(this.unavailable ? { unavailable: this.unavailable } : {}),
    };
  }

  private async read(): Promise<void> {
    const atMs = Date.now();
    const uptime = uptimeSeconds();
    const stats = await readAllProcStats();
    const byPid = new Map(stats.map((stat) => [stat.pid, stat]));
    const children = new Map<number, ProcStat[]>();
    const groups = new Map<number, ProcStat[]>();
    const add = (map: Map<number, ProcStat[]>, key: number, stat: ProcStat) => {
      const list = map.get(key);
      if (list) list.push(stat);
      else map.set(key, [stat]);
    };
    for (const stat of stats) {
      add(children, stat.ppid, stat);
      add(groups, stat.pgid, stat);
    }
    for (const { name, role, pid } of this.processes()) {
      const leader = pid === undefined ? undefined : byPid.get(pid);
      if (!leader) continue;
      const members = membersOf(leader, children, groups);
      const tracked = this.trackedFor(name, role, leader);
      // Too soon after the last reading (the one at stop) to tell CPU apart at 10 ms ticks.
      if (tracked.lastUptime !== undefined && uptime - tracked.lastUptime < MIN_READING_GAP_S) continue;
      const cpuPercent = tracked.lastUptime === undefined ? undefined : cpuPercentOf(tracked, members, uptime);
      tracked.memberTicks = new Map(members.map((m) => [`${m.pid}:${m.startTicks}`, m.cpuTicks]));
      tracked.lastUptime = uptime;
      // The first reading of a process is where its CPU is counted from: it makes no point.
      if (cpuPercent === undefined) continue;
      tracked.series.add({ atMs, rssBytes: members.reduce((sum, m) => sum + m.rssBytes, 0), cpuPercent });
    }
  }

  private trackedFor(name: string, role: ProcessRole, leader: ProcStat): Tracked {
    const identity = `${leader.pid}:${leader.startTicks}`;
    let tracked = this.tracked.get(name);
    if (!tracked) {
      tracked = {
        role,
        series: new ThinnedSeries(this.options.maxPoints ?? MAX_RESOURCE_POINTS),
        identity,
        memberTicks: new Map(),
        lastUptime: undefined,
      };
      this.tracked.set(name, tracked);
    } else if (tracked.identity !== identity) {
      tracked.identity = identity;
      tracked.memberTicks = new Map();
      tracked.lastUptime = undefined;
    }
    return tracked;
  }
}

/** The leader, its descendants, and its process group when it leads one. */
function membersOf(
  leader: ProcStat,
  children: ReadonlyMap<number, readonly ProcStat[]>,
  groups: ReadonlyMap<number, readonly ProcStat[]>,
): ProcStat[] {
  const members = new Map<number, ProcStat>([[leader.pid, leader]]);
  if (leader.pgid === leader.pid) for (const member of groups.get(leader.pid) ?? []) members.set(member.pid, member);
  const visited = new Set([leader.pid]);
  const queue = [leader.pid];
  // Bounded: each pid enters the queue once.
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      if (visited.has(child.pid)) continue;
      visited.add(child.pid);
      members.set(child.pid, child);
      queue.push(child.pid);
    }
  }
  return [...members.values()];
}

/**
 * CPU over wall time since the last reading. A member seen for the first time counts the share
 * of its CPU time that falls in the interval (all of it when it started within).
 */
function cpuPercentOf(tracked: Tracked, members: readonly ProcStat[], uptime: number): number {
  const wall = uptime - (tracked.lastUptime ?? uptime);
  if (wall <= 0) return 0;
  let ticks = 0;
  for (const member of members) {
    const before = tracked.memberTicks.get(`${member.pid}:${member.startTicks}`);
    if (before !== undefined) ticks += Math.max(0, member.cpuTicks - before);
    else {
      const age = Math.max(0, uptime - member.startTicks / TICKS_PER_SECOND);
      ticks += age > wall ? member.cpuTicks * (wall / age) : member.cpuTicks;
    }
  }
  return (ticks / TICKS_PER_SECOND / wall) * 100;
}
