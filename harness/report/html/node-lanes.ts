import type { ClusterSection } from '../../model/result-schema.ts';

export type LaneState = ClusterSection['nodeStates'][number]['state'];

/** One cluster node's states as consecutive segments, for the node-lanes chart (seconds). */
export interface NodeLane {
  readonly label: string;
  readonly segments: Array<{ readonly fromS: number; readonly toS: number; readonly state: LaneState }>;
}

/** Lane colours: CSS variables, so the theme toggle recolours them. */
export const LANE_STATES: ReadonlyArray<{
  readonly state: LaneState;
  readonly cssVar: string;
  readonly label: string;
}> = [
  { state: 'up', cssVar: '--lane-up', label: 'up' },
  { state: 'leader', cssVar: '--lane-leader', label: 'up, quorum leader' },
  { state: 'paused', cssVar: '--lane-paused', label: 'paused (SIGSTOP)' },
  { state: 'partitioned', cssVar: '--lane-partitioned', label: 'partitioned' },
  { state: 'down', cssVar: '--lane-down', label: 'down' },
];

/**
 * The cluster's state changes as lanes, one per node, up to `endMs`. A `leader` entry moves
 * the leadership: the node that held it and is still up goes back to plain `up`.
 */
export function nodeLanes(cluster: ClusterSection, endMs: number): NodeLane[] {
  const current = new Map<number, { state: LaneState; fromMs: number }>();
  const lanes = new Map<number, NodeLane>();
  for (const node of cluster.nodes) lanes.set(node.index, { label: `node-${node.index}`, segments: [] });
  const close = (node: number, atMs: number) => {
    const open = current.get(node);
    if (open && atMs > open.fromMs)
      lanes.get(node)?.segments.push({ fromS: open.fromMs / 1000, toS: atMs / 1000, state: open.state });
  };
  const set = (node: number, state: LaneState, atMs: number) => {
    if (!lanes.has(node)) lanes.set(node, { label: `node-${node}`, segments: [] });
    if (current.get(node)?.state === state) return;
    close(node, atMs);
    current.set(node, { state, fromMs: atMs });
  };
  for (const change of [...cluster.nodeStates].sort((a, b) => a.tMs - b.tMs)) {
    if (change.state === 'leader') {
      for (const [node, open] of current)
        if (node !== change.node && open.state === 'leader') set(node, 'up', change.tMs);
    }
    set(change.node, change.state, change.tMs);
  }
  for (const node of current.keys()) close(node, Math.max(endMs, current.get(node)!.fromMs));
  return [...lanes.entries()].sort(([a], [b]) => a - b).map(([, lane]) => lane);
}
