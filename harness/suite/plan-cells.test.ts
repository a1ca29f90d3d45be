import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.ts';
import type { SuiteImplementation } from '../model/suite-schema.ts';
import { planCells } from './plan-cells.ts';

const scenario = (name: string) => {
  const found = findScenario(name);
  if (!found) throw new Error(name);
  return found;
};
const builtin: SuiteImplementation = { name: 'builtin', expectedFailures: [] };
const external: SuiteImplementation = {
  name: 'python',
  serverCommand: 'python3 rpc_server.py',
  clientCommand: 'python3 rpc_client_driver.py',
  expectedFailures: [],
};

describe('the cells of a suite', () => {
  it('runs every scenario × implementation, with the scenario gates and the suite gates once each', () => {
    const { cells, errors } = planCells([scenario('duplicate-reply')], [builtin, external], {
      gates: ['errors==0', 'wrong_results==0'],
    });
    expect(errors).toEqual([]);
    expect(cells.map((cell) => `${cell.scenario.name}×${cell.implementation.name}:${cell.kind}`)).toEqual([
      'duplicate-reply×builtin:run',
      'duplicate-reply×python:run',
    ]);
    const [first] = cells;
    if (first?.kind !== 'run') throw new Error('expected a runnable cell');
    expect(first.gateExpressions).toContain('errors==0');
    expect(first.gateExpressions.filter((gate) => gate === 'wrong_results==0')).toHaveLength(1);
    const second = cells[1];
    if (second?.kind !== 'run') throw new Error('expected a runnable cell');
    expect(second.definition.implementations?.server).toMatchObject({ command: 'python3 rpc_server.py' });
  });

  it('marks a scenario that cannot drive an implementation as not applicable, saying why', () => {
    const { cells } = planCells([scenario('bad-input'), scenario('no-reply')], [builtin, external], { gates: [] });
    expect(cells.map((cell) => cell.kind)).toEqual(['run', 'not-applicable', 'run', 'not-applicable']);
    const badInput = cells[1];
    expect(badInput?.kind === 'not-applicable' && badInput.reason).toMatch(
      /run this scenario with the built-in client/,
    );
  });

  it('runs a confirming scenario with an external client without confirms, and says so', () => {
    const { cells } = planCells([scenario('memory-alarm')], [external], { gates: [] });
    const [cell] = cells;
    if (cell?.kind !== 'run') throw new Error('expected a runnable cell');
    expect(cell.definition.topology.confirmRequests).toBe(false);
    expect(cell.adjustments).toEqual(['requests published without confirms (external client)']);
  });

  it('cannot run at all with a bad gate, naming the scenario', () => {
    const { errors } = planCells([scenario('latency')], [builtin], { gates: ['p99<<5ms'] });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^latency: /);
  });
});
