/**
 * The notebook-grant part of the confirmation dialog: a box, unticked,
 * "Also allow this notebook without asking, for N minutes, up to X OCEAN",
 * with the whole scope in sentences underneath. For `%ocean grant` the
 * dialog is the grant itself and there is no box to tick. Plain DOM with
 * textContent only: the words may carry a notebook's name.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IGrantOffer } from './confirmation';

const MINUTES = [5, 15, 30, 60, 120];

/** The offer's form, to append to the dialog's body. */
export function grantOfferNode(
  offer: IGrantOffer,
  trans: TranslationBundle
): HTMLElement {
  const box = document.createElement('fieldset');
  box.className = 'jp-OceanGrantOffer';
  if (offer.explicit) {
    box.dataset.explicit = '';
  }
  const legend = document.createElement('legend');
  const tick = document.createElement('input');
  tick.type = 'checkbox';
  tick.className = 'jp-OceanGrantOffer-tick';
  tick.checked = !!offer.explicit;
  tick.hidden = !!offer.explicit;
  const legendLabel = document.createElement('label');
  legendLabel.append(
    tick,
    document.createTextNode(
      offer.explicit
        ? trans.__('Allow this notebook without asking')
        : trans.__('Also allow this notebook without asking')
    )
  );
  legend.append(legendLabel);

  const terms = document.createElement('p');
  terms.className = 'jp-OceanGrantOffer-terms';
  const minutes = document.createElement('select');
  minutes.className = 'jp-OceanGrantOffer-minutes';
  minutes.setAttribute('aria-label', trans.__('Minutes'));
  // Inline and important: the lab's dialog styles stretch selects across
  // the body, which broke the sentence the field sits in.
  minutes.style.setProperty('width', 'auto', 'important');
  minutes.style.setProperty('max-width', '8em', 'important');
  minutes.style.setProperty('display', 'inline-block', 'important');
  for (const value of new Set(
    [...MINUTES, offer.minutes].sort((a, b) => a - b)
  )) {
    const option = document.createElement('option');
    option.value = String(value);
    option.textContent = String(value);
    option.selected = value === offer.minutes;
    minutes.append(option);
  }
  const cap = document.createElement('input');
  cap.type = 'text';
  cap.inputMode = 'decimal';
  cap.size = 8;
  cap.value = offer.cap;
  cap.className = 'jp-OceanGrantOffer-cap';
  cap.setAttribute('aria-label', trans.__('Spending cap'));
  terms.append(
    document.createTextNode(trans.__('for') + ' '),
    minutes,
    document.createTextNode(' ' + trans.__('minutes, spending at most') + ' '),
    cap,
    document.createTextNode(' ' + offer.tokenSymbol)
  );

  // The scope: its lead and closing sentences as paragraphs, the "•"
  // conditions between them as a list.
  const scope = document.createElement('div');
  scope.className = 'jp-OceanGrantOffer-scope';
  let list: HTMLUListElement | null = null;
  for (const sentence of offer.scope) {
    if (sentence.startsWith('• ')) {
      if (!list) {
        list = document.createElement('ul');
        scope.append(list);
      }
      const item = document.createElement('li');
      item.textContent = sentence.slice(2);
      list.append(item);
    } else {
      list = null;
      const text = document.createElement('p');
      text.textContent = sentence;
      scope.append(text);
    }
  }
  box.append(legend, terms, scope);
  const sync = () => {
    box.toggleAttribute('data-ticked', tick.checked);
    minutes.disabled = !tick.checked;
    cap.disabled = !tick.checked;
  };
  tick.addEventListener('change', sync);
  sync();
  return box;
}

/** The terms the person chose, or undefined when the box is unticked or the cap unreadable. */
export function readGrantOffer(
  node: HTMLElement
): { minutes: number; cap: string } | undefined {
  const tick = node.querySelector<HTMLInputElement>('.jp-OceanGrantOffer-tick');
  const minutes = node.querySelector<HTMLSelectElement>(
    '.jp-OceanGrantOffer-minutes'
  );
  const cap = node.querySelector<HTMLInputElement>('.jp-OceanGrantOffer-cap');
  if (!tick?.checked || !minutes || !cap) {
    return undefined;
  }
  const text = cap.value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) {
    return undefined;
  }
  return { minutes: Number(minutes.value), cap: text };
}
