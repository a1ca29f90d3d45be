import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lateReply from '../../scenarios/late-reply.ts';
import type { StartedBroker } from '../env/broker/broker.ts';
import type { ProxyChoice } from '../env/select-proxy.ts';
import { runScenario } from '../engine/run-scenario.ts';

export interface LateReplyRow {
  readonly proxy: string;
  readonly sent: number;
  readonly timedOut: number;
  readonly discardedLate: number;
}

export interface LateReplyBench {
  readonly rows: LateReplyRow[];
  /** Timeouts expected when removing the toxic releases held replies at once (Toxiproxy). */
  readonly expectedWithRelease: number;
  /** Timeouts expected if held replies kept their full delay after removal. */
  readonly expectedWithKeptDelay: number;
}

/**
 * late-reply's timeouts through the built-in proxy and, when TOXIPROXY_URL names one,
 * through a real Toxiproxy, on the same broker: the same fault must time out as many calls
 * under both. Calls sent while the toxic holds replies time out unless their reply is
 * released by the toxic's removal within the timeout, i.e. those of its last `timeout` ms.
 */
export async function benchLateReply(
  broker: StartedBroker,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LateReplyBench> {
  const fault = lateReply.faults[0];
  const load = lateReply.load;
  if (fault?.kind !== 'toxic' || load.executor !== 'constant-arrival-rate' || fault.durationMs === undefined) {
    throw new Error('late-reply bench: the scenario no longer has one timed latency toxic under open-loop load');
  }
  const perSec = load.ratePerSec * lateReply.topology.clients;
  const expectedWithKeptDelay = Math.round((perSec * fault.durationMs) / 1000);
  const expectedWithRelease = Math.round((perSec * Math.max(0, fault.durationMs - lateReply.timeoutMs)) / 1000);
  const proxies: ProxyChoice[] = env.TOXIPROXY_URL ? ['builtin', 'toxiproxy'] : ['builtin'];
  const rows: LateReplyRow[] = [];
  for (const proxy of proxies) {
    const runDir = mkdtempSync(join(tmpdir(), `rpc-chaos-late-reply-bench-${proxy}-`));
    try {
      const result = await runScenario({
        definition: lateReply,
        broker,
        proxy,
        seed: 1,
        runDir,
        gates: [],
        tracing: { enabled: false, sampleRatio: 0 },
      });
      rows.push({
        proxy: `${result.environment.proxy.kind} ${result.environment.proxy.version}`,
        sent: result.counters.sent,
        timedOut: result.counters.timedOut,
        discardedLate: result.counters.discarded.late,
      });
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  }
  return { rows, expectedWithRelease, expectedWithKeptDelay };
}
