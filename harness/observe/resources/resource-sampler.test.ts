import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProcStat, readProcStat } from './proc-stat.ts';
import { ResourceSampler, type SampledProcess } from './resource-sampler.ts';
import { ThinnedSeries } from './thinned-series.ts';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
});

/** A process group of its own, as the runner starts every process. */
function startDetached(command: string, args: readonly string[]): ChildProcess {
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  started.push(child);
  return child;
}

/** Holds `mb` MiB resident and spins `busy` or sleeps. */
const nodeHolding = (mb: number, busy: boolean) =>
  `const b = Buffer.alloc(${mb} * 1024 * 1024, 1); ` +
  (busy ? 'for (;;) { b[0]++; }' : 'setInterval(() => b[0]++, 1000);');

/** Readings only when the test asks (and at start and stop), so their number is known. */
const NO_TIMER = { intervalMs: 600_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readings(sampler: ResourceSampler, count: number, gapMs: number) {
  for (let i = 0; i < count; i++) {
    await sleep(gapMs);
    await sampler.readNow();
  }
}

describe('resource sampling from /proc', { timeout: 30_000 }, () => {
  it('parses a stat line whose command name holds spaces and parentheses', () => {
    const line = '42 (a (b) c) S 1 42 42 0 -1 0 0 0 0 0 250 50 0 0 20 0 3 0 1000 0 2560 0';
    expect(parseProcStat(42, line)).toMatchObject({ ppid: 1, pgid: 42, cpuTicks: 300, startTicks: 1000 });
    expect(parseProcStat(42, 'garbage')).toBeUndefined();
    expect(readProcStat(2 ** 22 + 12_345)).toBeUndefined();
  });

  it('measures a busy process near one core and the memory it holds', async () => {
    const busy = startDetached(process.execPath, ['-e', nodeHolding(64, true)]);
    const idle = startDetached(process.execPath, ['-e', nodeHolding(16, false)]);
    const runStart = Date.now();
    const sampler = new ResourceSampler(
      () => [
        { name: 'busy', role: 'server', pid: busy.pid },
        { name: 'idle', role: 'client', pid: idle.pid },
      ],
      NO_TIMER,
    ).start();
    await readings(sampler, 3, 500);
    await sampler.stop();
    const { processes } = sampler.result(runStart);
    const last = (name: string) => processes.find((p) => p.name === name)!.samples.at(-1)!;
    expect(last('busy').rssBytes).toBeGreaterThan(64 * 1024 * 1024);
    expect(last('idle').rssBytes).toBeGreaterThan(16 * 1024 * 1024);
    expect(last('idle').rssBytes).toBeLessThan(last('busy').rssBytes);
    // A spinning process on a machine shared with other work: well above idle, at most about a core.
    expect(last('busy').cpuPercent).toBeGreaterThan(30);
    expect(last('busy').cpuPercent).toBeLessThan(130);
    expect(last('idle').cpuPercent).toBeLessThan(10);
    expect(sampler.cpuUsPerReading()).toBeGreaterThan(0);
  });

  it("counts what a process started: a shell's children in its group and below it", async () => {
    const script = `${process.execPath} -e '${nodeHolding(48, false)}' & wait`;
    const shell = startDetached('sh', ['-c', script]);
    const runStart = Date.now();
    const sampler = new ResourceSampler(() => [{ name: 'command', role: 'client', pid: shell.pid }], NO_TIMER).start();
    await readings(sampler, 2, 700);
    await sampler.stop();
    const shellOnly = readProcStat(shell.pid!)!.rssBytes;
    const samples = sampler.result(runStart).processes[0]!.samples;
    expect(samples.at(-1)!.rssBytes).toBeGreaterThan(shellOnly + 48 * 1024 * 1024);
  });

  it('leaves a gap for a killed process and goes on with its restart under the same name, without errors', async () => {
    let current = startDetached(process.execPath, ['-e', nodeHolding(8, false)]);
    const runStart = Date.now();
    const targets = (): SampledProcess[] => [{ name: 'broker', role: 'broker', pid: current.pid }];
    const sampler = new ResourceSampler(targets, NO_TIMER).start();
    await readings(sampler, 1, 300);
    process.kill(-current.pid!, 'SIGKILL');
    await new Promise((resolve) => current.once('exit', resolve));
    await readings(sampler, 2, 100);
    current = startDetached(process.execPath, ['-e', nodeHolding(8, false)]);
    await readings(sampler, 2, 500);
    await sampler.stop();
    const result = sampler.result(runStart);
    expect(result.unavailable).toBeUndefined();
    expect(result.processes).toHaveLength(1);
    const samples = result.processes[0]!.samples;
    // The first reading of each process is where its CPU counts from: one point before the kill,
    // none while it was gone, one after the restart (the reading at stop comes too soon after it).
    expect(samples).toHaveLength(2);
    expect(samples[1]!.tMs - samples[0]!.tMs).toBeGreaterThan(1_000);
    expect(samples.every((s) => s.cpuPercent >= 0 && s.rssBytes > 0)).toBe(true);
  });

  it('costs little: CPU time per reading of ten processes', async () => {
    const children = Array.from({ length: 10 }, () => startDetached('sleep', ['30']));
    const sampler = new ResourceSampler(
      () => children.map((child, i) => ({ name: `p${i}`, role: 'server' as const, pid: child.pid })),
      NO_TIMER,
    ).start();
    await readings(sampler, 20, 20);
    await sampler.stop();
    const { processes } = sampler.result(0);
    expect(processes).toHaveLength(10);
    const samplingCpuUsPerReading = sampler.cpuUsPerReading()!;
    console.log(`sampling ten processes: ${Math.round(samplingCpuUsPerReading)} µs of CPU per reading`);
    // Measured 2-5 ms on a loaded 2-core machine with ~150 processes; a second's budget is far above.
    expect(samplingCpuUsPerReading).toBeLessThan(50_000);
  });
});

describe('a thinned series', () => {
  it('never holds more than its bound, keeping the peak memory and the mean CPU', () => {
    const series = new ThinnedSeries(100);
    for (let i = 0; i < 10_000; i++)
      series.add({ atMs: i * 1000, rssBytes: i === 5_555 ? 999 : 10, cpuPercent: i % 2 === 0 ? 0 : 100 });
    const points = series.values();
    expect(points.length).toBeLessThanOrEqual(101);
    expect(points.length).toBeGreaterThan(50);
    expect(Math.max(...points.map((p) => p.rssBytes))).toBe(999);
    const full = points.slice(0, -1);
    expect(full.every((p) => p.cpuPercent === 50)).toBe(true);
    expect(points[0]!.atMs).toBe(0);
    expect(series.readingsPerPoint).toBe(128);
  });
});
