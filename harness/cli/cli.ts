/**
 * `npm run scenario -- <name> [options]` and `npm run scenario -- list`.
 * Parses options (commander), runs the scenario, writes the run folder, prints a summary,
 * and exits 0 pass / 1 check or gate failed / 2 harness could not run / 130 interrupted.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { join } from 'node:path';
import { onAbandon, onInterrupt } from '../env/process-cleanup.ts';
import { BROKER_CHOICES, DEFAULT_CLUSTER_NODES, type BrokerChoice } from '../env/select-broker.ts';
import { QUEUE_TYPES, type QueueType, type ScenarioDefinition } from '../scenario/define-scenario.ts';
import { PROXY_CHOICES, type ProxyChoice } from '../env/select-proxy.ts';
import { EXIT_HARNESS_ERROR, EXIT_INTERRUPTED } from '../exit-codes.ts';
import { REPLY_MODES, type ReplyMode } from '../rpc/fib-rpc-client.ts';
import { executeRuns, type CliRunOptions } from './execute-runs.ts';
import { isScenarioPath, loadScenarioFile } from '../scenario/load-scenario-file.ts';
import { parseDuration } from './parse-duration.ts';
import { findScenario, SCENARIOS } from '../../scenarios/index.ts';
import { invokedAs } from './invoked-as.ts';
import { LOCAL_ADDRESS_ENV, validateLocalAddress } from '../env/local-address.ts';
import { CLIENT_PRIORITIES, type ClientPriority } from '../env/realtime-priority.ts';
import { ROLES, segmentRequestFromCli, type RunRole } from './segment-options.ts';

function integer(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || parsed < min || parsed > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got "${value}"`);
    return parsed;
  };
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return parsed;
}

function duration(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function ratio(value: string): number {
  const parsed = Number(value.endsWith('%') ? Number(value.slice(0, -1)) / 100 : value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1)
    throw new InvalidArgumentError(`expected a ratio from 0 to 1 (or 0% to 100%), got "${value}"`);
  return parsed;
}

function percent(value: string): number {
  const parsed = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1000)
    throw new InvalidArgumentError(`expected a percentage like 10%, got "${value}"`);
  return parsed;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function listScenarios(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return SCENARIOS.map(
    (s) => `  ${s.name.padEnd(width)}  ${s.description}${s.tags?.length ? ` [${s.tags.join(', ')}]` : ''}`,
  ).join('\n');
}

const program = new Command(invokedAs('scenario'))
  .description('Run an RPC chaos scenario against a real RabbitMQ behind a fault proxy')
  .argument('<name>', `scenario to run (a name from the list, or the path of a scenario file), or "list"`)
  .option('--duration <duration>', "load duration, e.g. 10s, 2m (replaces the scenario's)", duration)
  .option('--rate <calls-per-sec>', 'open-loop arrival rate per client process', positiveNumber)
  .option('--concurrency <n>', 'closed-loop callers per client process', integer(1, 10_000))
  .option('--calls <n>', 'calls per client process (with or instead of --duration)', integer(1, 100_000_000))
  .option('--servers <n>', 'server processes', integer(1, 32))
  .option('--clients <n>', 'client processes', integer(1, 32))
  .addOption(
    new Option('--reply-mode <mode>', 'callback-queue (the tutorial) or direct-reply-to').choices(
      REPLY_MODES as string[],
    ),
  )
  .option('--timeout <duration>', 'per-call timeout, e.g. 500ms', duration)
  .addOption(
    new Option('--broker <kind>', 'auto: AMQP_URL, else a private local node, else Docker')
      .choices(BROKER_CHOICES as string[])
      .default('auto'),
  )
  .addOption(
    new Option(
      '--proxy <kind>',
      'auto: TOXIPROXY_URL, else the built-in proxy, used only when a network fault is scheduled; ' +
        'always: the same proxy in every run; builtin, toxiproxy, docker: that proxy in every run',
    )
      .choices(PROXY_CHOICES as string[])
      .default('auto'),
  )
  .option(
    '--nodes <n>',
    'broker nodes; above 1 starts a private cluster (as --broker cluster, which defaults to 3)',
    integer(1, 9),
  )
  .addOption(
    new Option(
      '--queue-type <type>',
      'request queue type: classic (the tutorial) or quorum (replicated on a cluster)',
    ).choices(QUEUE_TYPES as string[]),
  )
  .option(
    '--confirm-requests',
    'clients publish requests with publisher confirms, ' +
      'and the run checks that no confirmed request was lost (default for a quorum queue)',
  )
  .option(
    '--no-confirm-requests',
    'clients publish requests without publisher confirms, ' +
      'for a scenario that asks for them run with an external client (--client-cmd)',
  )
  .option('--seed <n>', 'seed of the request sequence', integer(0, 2 ** 31 - 1))
  .option('--out <dir>', 'run folder (default reports/<scenario>-<time>); refused if it holds a run')
  .option('--overwrite', 'replace the run an --out folder already holds', false)
  .option(
    '--queue <name>',
    'request queue shared with other programs (default: a queue of this run, deleted afterwards)',
  )
  .option('--allow-busy-queue', 'use the --queue even if it already has messages or consumers', false)
  .option('--json', 'print result.json to stdout instead of the summary', false)
  .option('--gate <expression>', 'add a gate, e.g. "p99<50ms" (repeatable)', collect, [] as string[])
  .option('--no-default-gates', 'ignore the gates the scenario declares')
  .option('--save-baseline <file>', 'write the gated metrics of this run (or the --repeat runs) to a baseline file')
  .option('--baseline <file>', 'compare with a saved baseline; worse by more than --tolerance fails')
  .option('--tolerance <percent>', 'allowed regression against the baseline', percent, 10)
  .option('--repeat <n>', 'run N times and compare medians (noise-aware baselines)', integer(1, 20), 1)
  .option(
    '--server-cmd <command>',
    'test an external server: run this command (via /bin/sh -c) for each server, with AMQP_URL and RPC_QUEUE set',
  )
  .option(
    '--client-cmd <command>',
    'test an external client: run this command for each client; ' +
      'it speaks the line protocol of scenarios/implementations/PROTOCOL.md',
  )
  .option(
    '--ready-timeout <duration>',
    'how long an external server or client may take to become ready (default 15s)',
    duration,
  )
  .option(
    '--warmup-calls <n>',
    'calls each client makes before the measured load, counted nowhere (default 3; 0: none)',
    integer(0, 100),
  )
  .option(
    '--recovery-allowance <duration>',
    'how long clients and servers have after the last fault to recover (default 7s: ' +
      "a common client library's 5 s reconnect interval and a margin); lengthens the scenario's load to fit",
    duration,
  )
  .option('--trace-sample <ratio>', 'share of calls traced, 0..1 or a percentage', ratio)
  .option('--no-tracing', 'turn tracing off')
  .option(
    '--segment <k/K>',
    "run segment k of K of the load (its share of the clients' calls), against a shared broker and servers; " +
      'merge with npm run report -- --merge',
  )
  .addOption(
    new Option(
      '--role <role>',
      'all: servers and clients (default); clients: a --segment; servers: the servers and faults of a segmented run',
    ).choices(ROLES as unknown as string[]),
  )
  .option(
    '--segments <K>',
    'with --role servers: the number of clients segments to serve and wait for',
    integer(1, 256),
  )
  .option('--start-at <time>', 'ISO time at which every segment starts its load, e.g. 2026-12-01T10:00:00Z')
  .addOption(
    new Option(
      '--client-priority <priority>',
      'realtime: client processes run under SCHED_FIFO, ' +
        'so calls start when due on a machine shared with the broker and servers (needs root or CAP_SYS_NICE)',
    )
      .choices(CLIENT_PRIORITIES as unknown as string[])
      .default('normal'),
  )
  .option(
    '--local-address <ip>',
    "bind this run's connections (proxy, clients, servers) to this local address, e.g. 127.0.0.11",
  )
  .addHelpText(
    'after',
    `\nScenarios:\n${listScenarios()}\n\n` +
      'Exit codes: 0 pass, 1 check or gate failed, 2 harness could not run, 130 interrupted.',
  )
  .showHelpAfterError()
  .exitOverride();

/** The options as commander gives them, before they become run options. */
interface ScenarioFlags {
  duration?: number;
  rate?: number;
  concurrency?: number;
  calls?: number;
  servers?: number;
  clients?: number;
  replyMode?: ReplyMode;
  timeout?: number;
  broker: BrokerChoice;
  proxy: ProxyChoice;
  seed?: number;
  out?: string;
  json: boolean;
  gate: string[];
  defaultGates: boolean;
  saveBaseline?: string;
  baseline?: string;
  tolerance: number;
  repeat: number;
  traceSample?: number;
  tracing: boolean;
  overwrite: boolean;
  queue?: string;
  allowBusyQueue: boolean;
  serverCmd?: string;
  clientCmd?: string;
  readyTimeout?: number;
  warmupCalls?: number;
  recoveryAllowance?: number;
  nodes?: number;
  queueType?: QueueType;
  confirmRequests?: boolean;
  segment?: string;
  segments?: number;
  role?: RunRole;
  startAt?: string;
  localAddress?: string;
  clientPriority: ClientPriority;
}

/** The scenario argument, or the exit code when commander has printed help or a usage error. */
function parseCommandLine(): { readonly name: string } | { readonly exitCode: number } {
  try {
    program.parse();
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return { exitCode: code === 0 ? 0 : EXIT_HARNESS_ERROR };
  }
  const [name] = program.args as [string];
  return { name };
}

/** A scenario by its name or from its file; undefined, after saying why, when there is none. */
async function resolveScenario(name: string): Promise<ScenarioDefinition | undefined> {
  let definition = findScenario(name);
  if (!definition && isScenarioPath(name)) {
    try {
      definition = await loadScenarioFile(name);
    } catch (error) {
      console.error((error as Error).message);
      return undefined;
    }
  }
  if (!definition) {
    console.error(
      `unknown scenario "${name}". Valid scenarios:\n${listScenarios()}\n` +
        'or give the path of a scenario file, e.g. ./my-scenario.ts',
    );
    return undefined;
  }
  return definition;
}

/** Binds this run's connections to --local-address; false, after saying why, when the address is not usable. */
function useLocalAddress(localAddress: string | undefined): boolean {
  if (localAddress === undefined) return true;
  const problem = validateLocalAddress(localAddress);
  if (problem) {
    console.error(problem);
    return false;
  }
  // Worker processes inherit it, as they inherit AMQP_URL.
  process.env[LOCAL_ADDRESS_ENV] = localAddress;
  return true;
}

/** The options of the whole run, in one place, from the scenario and the flags. */
function wholeRunOptions(definition: ScenarioDefinition, o: ScenarioFlags, stamp: string): CliRunOptions {
  return {
    definition,
    overrides: {
      durationMs: o.duration,
      ratePerSec: o.rate,
      concurrency: o.concurrency,
      calls: o.calls,
      servers: o.servers,
      clients: o.clients,
      replyMode: o.replyMode,
      timeoutMs: o.timeout,
      sampleRatio: o.traceSample,
      queue: o.queue,
      serverCommand: o.serverCmd,
      clientCommand: o.clientCmd,
      readyTimeoutMs: o.readyTimeout,
      warmupCalls: o.warmupCalls,
      recoveryAllowanceMs: o.recoveryAllowance,
      nodes:
        o.nodes ?? (o.broker === 'cluster' && (definition.topology.nodes ?? 1) < 2 ? DEFAULT_CLUSTER_NODES : undefined),
      queueType: o.queueType,
      confirmRequests: o.confirmRequests,
    },
    broker: o.broker,
    proxy: o.proxy,
    seed: o.seed ?? Math.floor(Math.random() * 2 ** 31),
    runDir: o.out ?? join('reports', `${definition.name}-${stamp}`),
    json: o.json,
    // A gate given twice (by the scenario and on the command line) is evaluated once.
    gates: [...new Set([...(o.defaultGates ? definition.gates : []), ...o.gate].map((gate) => gate.trim()))],
    saveBaseline: o.saveBaseline,
    baseline: o.baseline,
    tolerancePct: o.tolerance,
    repeat: o.repeat,
    tracingEnabled: o.tracing,
    interactive: Boolean(process.stderr.isTTY),
    overwrite: o.overwrite,
    allowBusyQueue: o.allowBusyQueue,
    clientPriority: o.clientPriority,
  };
}

/**
 * The whole run's options, or those of the segment the flags ask for (its own run folder, no
 * gates); undefined, after listing every problem, when the segment flags do not fit together.
 */
function segmentOrWholeRun(
  name: string,
  o: ScenarioFlags,
  wholeRun: CliRunOptions,
  stamp: string,
): CliRunOptions | undefined {
  const { definition } = wholeRun;
  const segmented = segmentRequestFromCli(o, {
    scenarioSource: name,
    overrides: wholeRun.overrides,
    gates: wholeRun.gates,
  });
  if (segmented.errors.length > 0) {
    console.error(`cannot run "${definition.name}" as a segment:\n  - ${segmented.errors.join('\n  - ')}`);
    return undefined;
  }
  const segment = segmented.request;
  if (!segment) return wholeRun;
  const part = segment.role === 'servers' ? 'servers' : `segment-${segment.index}-of-${segment.count}`;
  // The gates judge the merged run; a segment alone would fail a gate such as a total count.
  return { ...wholeRun, segment, gates: [], runDir: o.out ?? join('reports', `${definition.name}-${stamp}-${part}`) };
}

/**
 * Runs, and on SIGINT or SIGTERM stops the load, writes what was measured and tears down
 * before exiting 130; a second signal kills at once, naming what was not written.
 */
async function runInterruptibly(options: CliRunOptions): Promise<number> {
  const abort = new AbortController();
  let finished: Promise<number> | undefined;
  let written = false;
  onInterrupt(async (signal) => {
    abort.abort();
    const how = signal === 'SIGINT' ? 'Ctrl-C again' : `${signal} again, after 1 s,`;
    process.stderr.write(
      `\ninterrupted (${signal}): stopping load, writing what was measured, tearing down (${how} to kill at once)\n`,
    );
    await finished;
  });
  onAbandon(() => (written ? [] : [`the results: result.json and the reports in ${options.runDir} are not written`]));
  finished = executeRuns(options, abort.signal);
  const code = await finished;
  written = true;
  return abort.signal.aborted ? EXIT_INTERRUPTED : code;
}

async function main(): Promise<number> {
  const parsed = parseCommandLine();
  if ('exitCode' in parsed) return parsed.exitCode;
  const { name } = parsed;
  if (name === 'list') {
    console.log(`Scenarios:\n${listScenarios()}`);
    return 0;
  }
  const definition = await resolveScenario(name);
  if (!definition) return EXIT_HARNESS_ERROR;
  const flags = program.opts<ScenarioFlags>();
  if (!useLocalAddress(flags.localAddress)) return EXIT_HARNESS_ERROR;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  const options = segmentOrWholeRun(name, flags, wholeRunOptions(definition, flags, stamp), stamp);
  if (!options) return EXIT_HARNESS_ERROR;
  return runInterruptibly(options);
}

process.exit(await main());
