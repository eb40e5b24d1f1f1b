import dagre from '@dagrejs/dagre';

// Where each step of a DAG goes: dagre's layered layout, left to right, computed
// synchronously (no worker), so the same graph always lands in the same place.
export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 66;

export interface Placed {
  key: string;
  x: number;
  y: number;
}

export function layoutDag(steps: { key: string; dependsOn: string[] }[]): {
  placed: Placed[];
  width: number;
  height: number;
} {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 56, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const keys = new Set(steps.map((s) => s.key));
  for (const s of steps) g.setNode(s.key, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const s of steps) for (const d of s.dependsOn) if (keys.has(d) && d !== s.key) g.setEdge(d, s.key);
  dagre.layout(g);
  const graph = g.graph();
  const placed = steps.map((s) => {
    const n = g.node(s.key);
    return { key: s.key, x: n.x - NODE_WIDTH / 2, y: n.y - NODE_HEIGHT / 2 };
  });
  return { placed, width: graph.width ?? 0, height: graph.height ?? 0 };
}
