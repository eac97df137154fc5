/**
 * Sentences with markup inside them (a DID in <code>, a name in <strong>),
 * translated whole: the translator sees 'Compute on %1', never the loose
 * fragments 'Compute on' and the rest, and may move the value.
 */

/** What to pass trans.__ for the value that `withMarkup` fills in at `index`. */
export const slot = (index: number): string => `\uE000${index}\uE001`;

/**
 * The translated sentence as parts for a Lit template: its text, with each
 * slot replaced by the markup given for it, wherever the translation put it.
 */
export function withMarkup(
  sentence: string,
  markup: ReadonlyArray<unknown>
): unknown[] {
  return sentence
    .split(/\uE000(\d+)\uE001/)
    .map((part, i) => (i % 2 === 1 ? markup[Number(part)] : part));
}
