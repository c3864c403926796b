import { Graphviz } from '@hpcc-js/wasm-graphviz';

let graphviz: Promise<Graphviz> | undefined;

/**
 * DOT drawn as SVG by Graphviz's `dot` layout, compiled to WebAssembly (the
 * version pinned in package-lock.json), so every machine draws the same bytes.
 */
export async function toSvg(dot: string): Promise<string> {
  graphviz ??= Graphviz.load();
  return (await graphviz).dot(dot, 'svg');
}
