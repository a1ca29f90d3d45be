import { describe, expect, it } from 'vitest';
import { validateScenario } from '../scenario/define-scenario.ts';
import memoryAlarm from '../../scenarios/memory-alarm.ts';
import { executeBrokerFault, parseWatermark, watermarkArgs, type BrokerFaultTargets } from './broker-faults.ts';
import { faultShapeProblems } from './fault-schema.ts';

describe('broker faults', () => {
  it("reads the node's watermark as rabbitmqctl eval prints it, and sets it back the same way", () => {
    expect(parseWatermark('0.4\n')).toEqual({ relative: 0.4 });
    expect(parseWatermark('{absolute,1073741824}\n')).toEqual({ absoluteBytes: 1073741824 });
    expect(watermarkArgs({ relative: 0.4 })).toEqual(['set_vm_memory_high_watermark', '0.4']);
    expect(watermarkArgs({ absoluteBytes: 1073741824 })).toEqual([
      'set_vm_memory_high_watermark',
      'absolute',
      '1073741824',
    ]);
    expect(() => parseWatermark('{badrpc,nodedown}')).toThrow(/cannot read the node's memory high watermark/);
  });

  it('raises the alarm, then restores the watermark the node had when the window closes', async () => {
    const calls: string[] = [];
    let close: (() => Promise<void>) | undefined;
    const broker: BrokerFaultTargets = {
      rabbitmqctl: async (args) => {
        calls.push(args.join(' '));
        return args[0] === 'eval' ? '{absolute,500000000}\n' : '';
      },
      deleteRequestQueue: async () => 0,
      declareRequestQueue: async () => undefined,
    };
    await executeBrokerFault(
      { kind: 'memory-alarm', trigger: { atMs: 0 }, durationMs: 1_000 },
      { broker, record: () => undefined, openWindow: (_ms, closeWindow) => void (close = closeWindow) },
    );
    expect(calls).toEqual(['eval vm_memory_monitor:get_vm_memory_high_watermark().', 'set_vm_memory_high_watermark 0']);
    await close?.();
    expect(calls.at(-1)).toBe('set_vm_memory_high_watermark absolute 500000000');
  });

  it('refuses a memory alarm on a broker the harness cannot run rabbitmqctl on, saying what it needs', async () => {
    const broker: BrokerFaultTargets = {
      deleteRequestQueue: async () => 0,
      declareRequestQueue: async () => undefined,
    };
    await expect(
      executeBrokerFault(
        { kind: 'memory-alarm', trigger: { atMs: 0 }, durationMs: 1_000 },
        { broker, record: () => undefined, openWindow: () => undefined },
      ),
    ).rejects.toThrow(/needs a private node the harness started \(--broker local\)/);
  });

  it('names a misspelt or missing field of the new kinds, as for every kind', () => {
    expect(faultShapeProblems({ kind: 'memory-alarm', trigger: { atMs: 1 }, duration: 3 }, 0)).toEqual([
      'faults[0].durationMs: missing (expected a number)',
      'faults[0].duration: not a field of a memory-alarm fault (did you mean "durationMs"?); ' +
        'its fields: kind, trigger, durationMs',
    ]);
    expect(faultShapeProblems({ kind: 'delete-request-queue', trigger: { atMs: 1 } }, 2)).toEqual([
      'faults[2].redeclareAfterMs: missing (expected a number)',
    ]);
    expect(faultShapeProblems({ kind: 'memory-alarms' }, 0)[0]).toMatch(
      /^faults\[0\]\.kind: "memory-alarms" is not a fault kind \(did you mean "memory-alarm"\?\)/,
    );
  });

  it('validates ranges: a memory alarm needs a single node, a duration > 0; a re-declare after >= 0', () => {
    expect(validateScenario(memoryAlarm)).toEqual([]);
    const onCluster = { ...memoryAlarm, topology: { ...memoryAlarm.topology, nodes: 3 } };
    expect(validateScenario(onCluster)).toContainEqual(
      expect.stringMatching(/memory alarm on the broker .* runs on a single private node/),
    );
    const zero = { ...memoryAlarm, faults: [{ kind: 'memory-alarm' as const, trigger: { atMs: 0 }, durationMs: 0 }] };
    expect(validateScenario(zero)).toContainEqual(expect.stringMatching(/durationMs must be > 0/));
    const negative = {
      ...memoryAlarm,
      faults: [{ kind: 'delete-request-queue' as const, trigger: { atMs: 0 }, redeclareAfterMs: -1 }],
    };
    expect(validateScenario(negative)).toContainEqual(expect.stringMatching(/redeclareAfterMs must be >= 0/));
  });
});
