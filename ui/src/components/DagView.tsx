import {
  Background,
  Controls,
  Handle,
  Position,
  ReactFlow,
  useReactFlow,
  useStore,
  type Edge,
  type Node,
  type NodeProps,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useComputedColorScheme } from '@mantine/core';
import { useEffect, useMemo } from 'react';

import { statusColor, statusLabel } from './StatusBadge';
import { layoutDag, NODE_HEIGHT, NODE_WIDTH } from '../lib/layout';

export type DagStep = {
  key: string;
  module: string;
  dependsOn: string[];
  /** A run status (coloured), null for a step without a run, undefined in the studio. */
  status?: string | null;
  detail?: string;
  problems?: string[];
};

type StepNodeData = DagStep & { selected: boolean; [extra: string]: unknown };

function StepNode({ data }: NodeProps<Node<StepNodeData>>) {
  const bad = (data.problems?.length ?? 0) > 0;
  const color = bad ? 'red' : data.status === undefined ? 'blue' : statusColor(data.status);
  const label = `Step ${data.key}: ${data.status === undefined ? data.module : statusLabel(data.status)}`;
  return (
    <div
      data-testid={`dag-node-${data.key}`}
      data-status={data.status ?? ''}
      aria-label={label}
      title={bad ? data.problems!.join('\n') : label}
      style={{
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        boxSizing: 'border-box',
        padding: '6px 10px',
        borderRadius: 6,
        border: `${data.selected ? 3 : 2}px solid var(--mantine-color-${color}-filled)`,
        background: `var(--mantine-color-${color}-light)`,
        color: 'var(--mantine-color-text)',
        fontSize: 12,
        lineHeight: 1.35,
        overflow: 'hidden',
        cursor: 'pointer',
      }}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div
        style={{ fontWeight: 700, fontSize: 13, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}
      >
        {data.key}
      </div>
      <div style={{ opacity: 0.8, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
        {data.module}
      </div>
      <div style={{ fontWeight: 600, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
        {bad ? data.problems![0] : data.status === undefined ? '' : statusLabel(data.status)}
        {data.detail ? ` · ${data.detail}` : ''}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

const NODE_TYPES = { step: StepNode };

/** Fit the graph into its box again when the box is resized (a panel opened beside it)
 * or the graph changed: fitView alone fits only once, at the first render. */
function FitOnResize({ shape }: { shape: string }) {
  const { fitView } = useReactFlow();
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  useEffect(() => {
    if (width && height) void fitView({ padding: 0.15, maxZoom: 1.2 });
  }, [fitView, width, height, shape]);
  return null;
}

/** A workflow's steps as a DAG (edges from dependsOn), each coloured by its state. */
export function DagView({
  steps,
  selected,
  onSelect,
  label,
}: {
  steps: DagStep[];
  selected?: string;
  onSelect?: (key: string) => void;
  label: string;
}) {
  const { nodes, edges, height } = useMemo(() => {
    const { placed, height: h } = layoutDag(steps);
    const byKey = new Map(steps.map((s) => [s.key, s]));
    const nodes: Node<StepNodeData>[] = placed.map((p) => ({
      id: p.key,
      type: 'step',
      position: { x: p.x, y: p.y },
      data: { ...byKey.get(p.key)!, selected: p.key === selected },
      draggable: false,
      connectable: false,
    }));
    const keys = new Set(steps.map((s) => s.key));
    const edges: Edge[] = steps.flatMap((s) =>
      s.dependsOn
        .filter((d) => keys.has(d))
        .map((d) => ({ id: `${d}->${s.key}`, source: d, target: s.key, animated: s.status === 'LEASED' })),
    );
    return { nodes, edges, height: h };
  }, [steps, selected]);
  const scheme = useComputedColorScheme('light');
  const shape = useMemo(() => steps.map((s) => `${s.key}<${s.dependsOn.join(',')}`).join(';'), [steps]);
  return (
    <div
      role="figure"
      aria-label={label}
      style={{
        height: Math.min(Math.max(height + 40, 180), 520),
        border: '1px solid var(--mantine-color-default-border)',
        borderRadius: 6,
      }}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        colorMode={scheme}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1.2 }}
        minZoom={0.2}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        onNodeClick={(_, node) => onSelect?.(node.id)}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={16} size={1} />
        <Controls showInteractive={false} position="bottom-right" />
        <FitOnResize shape={shape} />
      </ReactFlow>
    </div>
  );
}
