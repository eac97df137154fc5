/**
 * Loading on first need: what the extension puts on every JupyterLab start
 * is only what draws its entry points (see issue 19 and
 * ui-tests/startup.spec.ts). The rest comes through `import()` from these
 * helpers, when a panel opens, a card renders or a kernel asks.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Message } from '@lumino/messaging';
import { Panel, type Widget } from '@lumino/widgets';

/**
 * `load` run once, on the first call; a failed load is tried again on the
 * next call (a chunk fetch can fail once on a flaky connection).
 */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    if (!pending) {
      pending = load();
      pending.catch(() => {
        pending = null;
      });
    }
    return pending;
  };
}

/**
 * An output renderer whose real renderer (and the code behind it) loads
 * when the first output of its MIME type renders. The real renderer is this
 * widget's only child, so its DOM and events are those it always had.
 */
export class LazyRenderer extends Panel implements IRenderMime.IRenderer {
  constructor(
    private readonly _create: () => Promise<IRenderMime.IRenderer & Widget>
  ) {
    super();
    this.addClass('jp-OceanLazyRenderer');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    if (!this._real) {
      this._real = this._create();
    }
    const real = await this._real;
    if (this.isDisposed) {
      real.dispose();
      return;
    }
    if (real.parent !== this) {
      this.addWidget(real);
    }
    await real.renderModel(model);
  }

  private _real: Promise<IRenderMime.IRenderer & Widget> | null = null;
}

/**
 * A sidebar panel whose content (and the code behind it) loads when it is
 * first shown, or when a command needs it. The shell carries the id and
 * the title the sidebar and the layout restorer know; the content is its
 * only child, filling it (style/base.css, .jp-OceanLazyPanel).
 */
export class LazyPanel<T extends Widget> extends Panel {
  constructor(options: {
    id: string;
    caption: string;
    create: () => Promise<T>;
  }) {
    super();
    this.id = options.id;
    this.title.caption = options.caption;
    this.addClass('jp-OceanLazyPanel');
    this._create = options.create;
  }

  /** The content, loading it on the first call. */
  content(): Promise<T> {
    if (!this._content) {
      this._content = this._create().then(content => {
        // The shell keeps the id: the sidebar tab and tests find it by it.
        content.id = `${this.id}-content`;
        // Added hidden, then shown: a shell already in view passes the
        // content the show messages it missed (its checks start on them).
        content.hide();
        this.addWidget(content);
        content.show();
        return content;
      });
      this._content.catch(error => {
        console.error(`jupyterlab-ocean: ${this.id} did not load`, error);
        this._content = null;
      });
    }
    return this._content;
  }

  /** The content when it is loaded, else null. */
  get loaded(): T | null {
    return (this.widgets[0] as T | undefined) ?? null;
  }

  protected onBeforeShow(msg: Message): void {
    super.onBeforeShow(msg);
    void this.content().catch(() => undefined);
  }

  private readonly _create: () => Promise<T>;
  private _content: Promise<T> | null = null;
}
