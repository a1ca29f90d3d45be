/**
 * What `npm run bench` measured: one entry per section that ran, as written to its JSON file.
 * The targets (bench-targets.ts) are judged from this object alone.
 */
import type { LateReplyBench } from './late-reply-bench.ts';
import type { MemoryBenchResult } from './memory-bench.ts';
import type { OpenLoopBenchResult } from './open-loop-bench.ts';
import type { ProtocolBenchRow } from './protocol-bench.ts';
import type { ProxyBenchRow } from './proxy-bench.ts';
import type { RpcBenchRow, ServerAloneRow } from './rpc-bench.ts';
import type { StartupBenchResult } from './startup-bench.ts';
import type { SuiteBenchResult } from './suite-bench.ts';
import type { TapBenchRow } from './tap-bench.ts';
import type { TcpProxyBench } from './tcp-proxy-bench.ts';
import type { AlternatingTracingRow, TracingBenchRow } from './tracing-bench.ts';

export const BENCH_SECTIONS = [
  'rpc',
  'server',
  'tracing',
  'proxy',
  'proxy-tcp',
  'tap',
  'protocol',
  'late-reply',
  'startup',
  'open-loop',
  'memory',
  'observe',
  'report',
  'suite',
] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

/** Sections that measure nothing on a broker: a run of only these starts none. */
export const SECTIONS_WITHOUT_BROKER: ReadonlySet<BenchSection> = new Set(['proxy-tcp', 'observe', 'report', 'suite']);

export interface BenchResults {
  readonly startedAt: string;
  readonly node: string;
  readonly quick: boolean;
  /** RabbitMQ's version, when a section needed the broker. */
  broker?: string;
  serverAlone?: ServerAloneRow;
  rpc?: RpcBenchRow[];
  tracing?: TracingBenchRow[];
  tracingAlternating?: AlternatingTracingRow;
  proxy?: ProxyBenchRow[];
  proxyTcp?: TcpProxyBench;
  tap?: TapBenchRow[];
  protocol?: ProtocolBenchRow;
  lateReply?: LateReplyBench;
  startup?: StartupBenchResult;
  suite?: SuiteBenchResult;
  openLoop?: OpenLoopBenchResult;
  memory?: MemoryBenchResult;
  observe?: Record<string, number>;
  report?: Record<string, number>;
}
