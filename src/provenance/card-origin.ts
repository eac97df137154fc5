/**
 * Which notebook and cell an asset card in an output area is rendered in,
 * so that a "Get access" on it goes into that notebook's provenance. It is
 * asked at the click, not when the card is made: a renderer is created
 * before it is attached, and outputs move (cells moved, outputs re-rendered).
 */
import type { IProvenanceOrigin } from './tokens';

/** Something on the page that may hold the card's node (a DOM node). */
interface IContainer {
  contains(other: unknown): boolean;
}

/** A notebook panel, as little as used (JupyterLab's NotebookPanel). */
export interface INotebookLike {
  node: IContainer;
  context: { path: string };
  content: {
    widgets: ReadonlyArray<{ node: IContainer; model: { id: string } }>;
  };
}

/**
 * The notebook among `panels` whose page holds `node`, with the cell that
 * holds it; null outside a notebook (Discover, a linked output view).
 * The notebook is named by its path: its kernel may be gone or restarting,
 * and the card did not act through it.
 */
export function cardOrigin(
  panels: Iterable<INotebookLike>,
  node: unknown,
  label: (path: string) => string
): IProvenanceOrigin | null {
  for (const panel of panels) {
    if (!panel.node.contains(node)) {
      continue;
    }
    const path = panel.context.path;
    const cell = panel.content.widgets.find(widget =>
      widget.node.contains(node)
    );
    return {
      requester: { kind: 'renderer', label: label(path), path },
      ...(cell ? { cellId: cell.model.id } : {})
    };
  }
  return null;
}
