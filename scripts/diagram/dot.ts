import { ContainerNode, DestinationNode, MountEdge, PodGraph, VolumeNode } from './model';

// Graphviz estimates text widths from built-in metrics (there are no fonts in
// its WebAssembly build); Helvetica is one it knows, so labels fit their boxes.
const FONT = 'Helvetica';

// Lines in boxes (but names) are wrapped at this many characters, to keep the drawing narrow enough for a README.
const WRAP = 26;
const EDGE_WRAP = 22;

const STYLE = {
  graph: { rankdir: 'LR', fontname: FONT, fontsize: 13, nodesep: 0.25, ranksep: 0.2, pad: 0.2, bgcolor: 'white' },
  node: { fontname: FONT, fontsize: 11, margin: '0.14,0.07', penwidth: 1.2 },
  edge: { fontname: FONT, fontsize: 10, color: '#475569', fontcolor: '#334155', arrowsize: 0.7 },
  pod: { style: 'rounded,dashed', color: '#64748b', fontcolor: '#1e293b', margin: 16 },
  container: { shape: 'box', style: 'filled', fillcolor: '#dbeafe', color: '#1d4ed8' },
  sidecarContainer: { shape: 'box', style: 'filled,dashed', fillcolor: '#dbeafe', color: '#1d4ed8' },
  volume: { shape: 'cylinder', style: 'filled', fillcolor: '#fef3c7', color: '#b45309' },
  destination: { shape: 'box3d', style: 'filled', fillcolor: '#dcfce7', color: '#15803d' },
  stdout: { shape: 'note', style: 'filled', fillcolor: '#dcfce7', color: '#15803d' },
  delivery: { color: '#15803d', fontcolor: '#166534', penwidth: 1.6 },
};

/**
 * A pod graph in DOT, left to right: the containers and shared volumes inside
 * the pod's box, mounts as edges labelled with their paths, and each shipper's
 * destinations outside it. The same graph always gives the same text.
 */
export function toDot(graph: PodGraph): string {
  const lines = [
    `digraph ${id(`${graph.kind} ${graph.name}`)} {`,
    `  graph ${attributes(STYLE.graph)};`,
    `  node ${attributes(STYLE.node)};`,
    `  edge ${attributes(STYLE.edge)};`,
    `  subgraph ${id('cluster_pod')} {`,
    `    graph ${attributes({ ...STYLE.pod, label: html(`${bold(graph.kind)} ${escape(graph.name)}`) })};`,
    ...graph.containers.map(container => `    ${containerNode(container)}`),
    ...graph.volumes.map(volume => `    ${volumeNode(volume)}`),
    '  }',
    ...graph.destinations.map(destination => `  ${destinationNode(destination)}`),
    ...graph.mounts.map(mount => `  ${mountEdge(mount, graph)}`),
    ...graph.destinations.map(destination => `  ${deliveryEdge(destination)}`),
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

function containerNode(container: ContainerNode): string {
  const lines = [
    bold(container.name),
    ...wrap(container.image).map(escape),
    ...(container.role === 'container' ? [] : [italic(container.role)]),
    ...(container.does ? wrap(container.does).map(italic) : []),
  ];
  const style = container.role === 'container' ? STYLE.container : STYLE.sidecarContainer;
  return `${id(containerId(container.name))} ${attributes({ ...style, label: html(lines.join('<br/>')) })};`;
}

function volumeNode(volume: VolumeNode): string {
  const lines = [
    bold(volume.name),
    ...[
      volume.type,
      ...(volume.reference !== undefined ? [volume.reference] : []),
      ...(volume.medium !== undefined ? [`medium ${volume.medium}`] : []),
      ...(volume.sizeLimit !== undefined ? [`sizeLimit ${volume.sizeLimit}`] : []),
    ].flatMap(line => wrap(line)).map(escape),
  ];
  return `${id(volumeId(volume.name))} ${attributes({ ...STYLE.volume, label: html(lines.join('<br/>')) })};`;
}

function destinationNode(destination: DestinationNode): string {
  // Wider than the pod's boxes: the destinations stand alone at the right, and host names break badly.
  const lines = [bold(destination.title), ...destination.details.flatMap(line => wrap(line, WRAP + 6)).map(escape)];
  const style = destination.via === 'stdout' ? STYLE.stdout : STYLE.destination;
  return `${id(destinationId(destination.id))} ${attributes({ ...style, label: html(lines.join('<br/>')) })};`;
}

/** Drawn from the container to the volume, or into the container for a read-only mount and for a shipper, which reads. */
function mountEdge(mount: MountEdge, graph: PodGraph): string {
  const reads = mount.readOnly || graph.containers.some(container => container.name === mount.container && container.ships);
  const [from, to] = reads ? [volumeId(mount.volume), containerId(mount.container)] : [containerId(mount.container), volumeId(mount.volume)];
  const label = [
    ...wrap(mount.readOnly ? `${mount.mountPath} (ro)` : mount.mountPath, EDGE_WRAP),
    ...(mount.subPath !== undefined ? wrap(`subPath ${mount.subPath}`, EDGE_WRAP) : []),
  ].join('\n');
  return `${id(from)} -> ${id(to)} ${attributes({ label })};`;
}

function deliveryEdge(destination: DestinationNode): string {
  return `${id(containerId(destination.from))} -> ${id(destinationId(destination.id))} ${attributes({ ...STYLE.delivery, label: destination.via })};`;
}

/**
 * Text as lines of at most `width` characters, broken at spaces; a longer word
 * (a host name, an image) is broken where `breakPoint()` says.
 */
export function wrap(text: string, width = WRAP): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length <= width) {
      line = `${line} ${word}`;
      continue;
    }
    if (line !== '') lines.push(line);
    let rest = word;
    while (rest.length > width) {
      const breakAfter = breakPoint(rest, width);
      const cut = breakAfter > 0 ? breakAfter + 1 : width;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  return [...lines, line];
}

/** Where to break a long word: after its last '/' that fits the line, else its last '.', else its last '-'. */
function breakPoint(word: string, width: number): number {
  return ['/', '.', '-'].map(separator => word.lastIndexOf(separator, width - 1)).find(index => index > 0) ?? -1;
}

const containerId = (name: string) => `container:${name}`;
const volumeId = (name: string) => `volume:${name}`;
const destinationId = (name: string) => `destination:${name}`;

/** A marker for a value that is an HTML-like label, written in `<...>` instead of quotes. */
interface Html { readonly html: string }

function html(text: string): Html {
  return { html: text };
}

function attributes(values: { readonly [name: string]: string | number | Html }): string {
  const written = Object.entries(values).map(([name, value]) => `${name}=${typeof value === 'object' ? `<${value.html}>`
    : typeof value === 'number' ? String(value) : id(value)}`);
  return `[${written.join(', ')}]`;
}

/** A DOT identifier, always quoted. */
function id(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const bold = (text: string) => `<b>${escape(text)}</b>`;
const italic = (text: string) => `<i>${escape(text)}</i>`;
