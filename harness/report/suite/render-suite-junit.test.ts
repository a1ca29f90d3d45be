import { describe, expect, it } from 'vitest';
import { renderSuiteJunit } from './render-suite-junit.ts';
import { LONG_REASON, makeSyntheticSuite, NASTY_REASON } from './test/synthetic-suite.ts';
import { elementsNamed, parseXml, type XmlElement } from './test/xml-tree.ts';

const suite = makeSyntheticSuite();
const root = parseXml(renderSuiteJunit(suite));
const testcase = (implementation: string, scenario: string): XmlElement => {
  const found = elementsNamed(root, 'testcase').filter(
    (c) => c.attributes.classname === `rpc-chaos.${implementation}` && c.attributes.name === scenario,
  );
  expect(found, `${scenario} × ${implementation}`).toHaveLength(1);
  return found[0]!;
};
const only = (element: XmlElement) => {
  expect(element.children).toHaveLength(1);
  return element.children[0]!;
};

describe('the xml reader the junit tests rely on', () => {
  it('refuses documents that are not well-formed', () => {
    const prolog = '<?xml version="1.0" encoding="UTF-8"?>\n';
    for (const broken of [
      '<a><b></a></b>',
      '<a>x & y</a>',
      '<a>x < y</a>',
      '<a b="1" b="2"/>',
      '<a/><b/>',
      '<a>',
      '<a b="x"y"/>',
      '<a>\u0007</a>',
    ])
      expect(() => parseXml(prolog + broken), broken).toThrow();
    expect(() => parseXml('<a/>')).toThrow(/prolog/);
    expect(parseXml(`${prolog}<a b="&lt;&amp;&quot;&#10;">x &gt; y<c/></a>`)).toEqual({
      name: 'a',
      attributes: { b: '<&"\n' },
      children: [{ name: 'c', attributes: {}, children: [], text: '' }],
      text: 'x > y',
    });
  });
});

describe('junit.xml of a suite', () => {
  it('has one testsuite per implementation and one testcase per scenario in each', () => {
    expect(root.name).toBe('testsuites');
    const suites = elementsNamed(root, 'testsuite');
    expect(suites.map((s) => s.attributes.name)).toEqual(suite.implementations.map((i) => `rpc-chaos.${i.name}`));
    for (const testsuite of suites) {
      const cases = testsuite.children.filter((c) => c.name === 'testcase');
      expect(cases.map((c) => c.attributes.name)).toEqual(suite.scenarios.map((s) => s.name));
    }
  });

  it('counts tests, failures, errors and skipped per implementation and in all', () => {
    const counts = (e: XmlElement) => ['tests', 'failures', 'errors', 'skipped'].map((k) => Number(e.attributes[k]));
    const [builtIn, python, java] = elementsNamed(root, 'testsuite');
    expect(counts(builtIn!)).toEqual([14, 0, 0, 0]);
    expect(counts(python!)).toEqual([14, 1, 0, 0]);
    expect(counts(java!)).toEqual([14, 1, 1, 3]);
    expect(counts(root)).toEqual([42, 2, 1, 3]);
    // The counts agree with the elements, as a CI that reads either would see it.
    for (const [kind, n] of [
      ['failure', 2],
      ['error', 1],
      ['skipped', 3],
      ['system-out', 36],
    ] as const)
      expect(elementsNamed(root, kind), kind).toHaveLength(n);
  });

  it('gives the time in seconds, for each cell and each implementation', () => {
    expect(testcase('java', 'late-reply').attributes.time).toBe('4.750');
    expect(testcase('java', 'consumer-cancel').attributes.time).toBe('0.000');
    const java = suite.cells.filter((c) => c.implementation === 'java');
    const total = java.reduce((sum, c) => sum + (c.durationMs ?? 0), 0) / 1000;
    expect(Number(elementsNamed(root, 'testsuite')[2]!.attributes.time)).toBeCloseTo(total, 3);
    expect(root.attributes.time).toBe('250.000');
  });

  it('fails a failed cell with its reason as the message, escaped and read back intact', () => {
    const failure = only(testcase('python <pika> & "aio"', 'partition'));
    expect(failure.name).toBe('failure');
    expect(failure.attributes.message).toBe(NASTY_REASON);
    expect(failure.text).toContain('failed: no-cross-resolution, p99<250ms');
    expect(failure.text).toContain('run folder: python <pika> & "aio"/partition');
    expect(only(testcase('java', 'blackhole')).attributes.message).toBe(LONG_REASON);
  });

  it('reports a cell the harness could not run as an error', () => {
    const error = only(testcase('java', 'broker-restart'));
    expect(error.name).toBe('error');
    expect(error.attributes.message).toContain('exited with code 127');
  });

  it('skips interrupted and not-run cells, saying why', () => {
    const interrupted = only(testcase('java', 'memory-alarm'));
    expect(interrupted.name).toBe('skipped');
    expect(interrupted.attributes.message).toBe('interrupted: stopped by Ctrl-C after 2.1 s');
    const notRun = only(testcase('java', 'consumer-cancel'));
    expect(notRun.name).toBe('skipped');
    expect(notRun.attributes.message).toBe('not run: the suite was interrupted before it started');
    const notApplicable = only(testcase('java', 'no-reply'));
    expect(notApplicable.name).toBe('skipped');
    expect(notApplicable.attributes.message).toMatch(/^does not apply: servers-stop-replying/);
  });

  it('passes an expected failure, naming the declared reason and what failed', () => {
    const out = only(testcase('python <pika> & "aio"', 'duplicate-reply'));
    expect(out.name).toBe('system-out');
    expect(out.text).toBe(
      'expected failure: pika client raises on an unknown correlation id; ' +
        'failed: check kept-working-after-stale-replies failed\nfailed: kept-working-after-stale-replies\n' +
        'run folder: python <pika> & "aio"/duplicate-reply',
    );
  });

  it('passes an unexpected pass with a note to remove the declaration', () => {
    const out = only(testcase('java', 'late-reply'));
    expect(out.name).toBe('system-out');
    expect(out.text).toContain('unexpected pass: declared as an expected failure (known: late replies are not');
    expect(out.text).toContain("remove it from the implementation's expectedFailures");
  });

  it('names each implementation\'s commands, or "built-in", in its properties', () => {
    const properties = (index: number) =>
      Object.fromEntries(
        elementsNamed(elementsNamed(root, 'testsuite')[index]!, 'property').map((p) => [
          p.attributes.name,
          p.attributes.value,
        ]),
      );
    expect(properties(0).serverCommand).toBe('built-in');
    expect(properties(1).clientCommand).toBe('python3 rpc_client_driver.py --mode <naive> && echo done');
    expect(properties(1).serverCommand).toBe('python3 rpc_server.py --queue "rpc" | tee server.log');
  });

  it('skips a scenario × implementation the suite never recorded', () => {
    const partial = makeSyntheticSuite();
    const xml = parseXml(renderSuiteJunit({ ...partial, cells: partial.cells.slice(1) }));
    expect(only(elementsNamed(xml, 'testcase')[0]!).name).toBe('skipped');
    expect(xml.attributes.skipped).toBe('4');
  });
});
