import { describe, expect, it } from 'vitest';
import { AddressRotation } from './address-rotation.ts';

const nodes = ['amqp://g:g@127.0.0.1:1001', 'amqp://g:g@127.0.0.1:1002', 'amqp://g:g@127.0.0.1:1003'];

describe('AddressRotation', () => {
  it('starts at the placed node, then the others in node order after it, round robin', () => {
    const rotation = new AddressRotation(nodes[1] as string, nodes);
    expect(rotation.current).toBe(nodes[1]);
    expect([rotation.advance(), rotation.advance(), rotation.advance(), rotation.advance()]).toEqual([
      nodes[2],
      nodes[0],
      nodes[1],
      nodes[2],
    ]);
    expect(rotation.size).toBe(3);
  });

  it('with a single address, stays on it', () => {
    const rotation = new AddressRotation(nodes[0] as string, [nodes[0] as string]);
    expect([rotation.current, rotation.advance(), rotation.advance()]).toEqual([nodes[0], nodes[0], nodes[0]]);
  });

  it('tries a placed address missing from the list first, then the list', () => {
    const placed = 'amqp://g:g@127.0.0.1:9999';
    const rotation = new AddressRotation(placed, nodes);
    expect([rotation.current, rotation.advance(), rotation.advance(), rotation.advance(), rotation.advance()]).toEqual([
      placed,
      ...nodes,
      placed,
    ]);
  });

  it('names a node by its place in node order, a single broker by host and port', () => {
    expect(new AddressRotation(nodes[0] as string, nodes).describe(nodes[2] as string)).toBe('node-3 (127.0.0.1:1003)');
    expect(new AddressRotation(nodes[0] as string, [nodes[0] as string]).describe(nodes[0] as string)).toBe(
      '127.0.0.1:1001',
    );
  });
});
