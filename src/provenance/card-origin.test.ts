import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cardOrigin, type INotebookLike } from './card-origin';

/** A page node: contains itself and what was put inside it. */
function node(...inside: unknown[]) {
  const self = {
    contains: (other: unknown): boolean =>
      other === self ||
      inside.some(
        child =>
          child === other ||
          (child as { contains?: (o: unknown) => boolean }).contains?.(
            other
          ) === true
      )
  };
  return self;
}

describe("an asset card's notebook", () => {
  const card = node();
  const otherCard = node();
  const cell = { node: node(card), model: { id: 'cell-2' } };
  const first = { node: node(), model: { id: 'cell-1' } };
  const panels: INotebookLike[] = [
    {
      node: node(),
      context: { path: 'other.ipynb' },
      content: { widgets: [] }
    },
    {
      node: node(first.node, cell.node),
      context: { path: 'work/cards.ipynb' },
      content: { widgets: [first, cell] }
    }
  ];
  const label = (path: string) => `Ocean asset card in ${path}`;

  it('is the notebook and cell whose page holds the card', () => {
    assert.deepEqual(cardOrigin(panels, card, label), {
      requester: {
        kind: 'renderer',
        label: 'Ocean asset card in work/cards.ipynb',
        path: 'work/cards.ipynb'
      },
      cellId: 'cell-2'
    });
  });

  it('is none outside a notebook', () => {
    assert.equal(cardOrigin(panels, otherCard, label), null);
  });
});
