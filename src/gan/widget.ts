/**
 * The GAN output cell: a MIME renderer for `application/vnd.ocean.gan+json`.
 *
 * It shows a locked card until the account has access, buys through the
 * Ocean client (each transaction in the wallet's dialog), then draws the
 * generated grid with the backend and timings. Controls re-generate in the
 * browser without re-running the kernel. After each render the grid is
 * written back into the output as `image/png` (with the settings in the GAN
 * payload), so a saved notebook shows the images without this extension.
 */
import type { Contents } from '@jupyterlab/services';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import type { ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import type {
  IAssetCardOrigin,
  IAssetCardRecorder,
  IOceanAccessGrant,
  IOceanProgress,
  IWalletRequester
} from '../tokens';
import { base64ToBytes } from '../base64';
import { OceanError } from '../errors';
import { writeWorkspaceFile } from '../ocean/workspace';
import {
  GAN_MAX_IMAGES,
  GAN_MIME_TYPE,
  parseGanPayload,
  type IGanCellPayload
} from './protocol';
import type { GanService, IGanModelInfo, IGanRun } from './service';

/** Pixels between images in the grid. */
const GAP = 2;
const BATCH_SIZES = [1, 4, 9, 16, 25, 36, 49, 64];

export type GanCellState =
  | 'idle'
  | 'checking'
  | 'locked'
  | 'buying'
  /** Access is there, but running would ask the wallet: waits for a press. */
  | 'paused'
  | 'loading'
  | 'ready'
  | 'error';

export interface IGanRendererContext {
  service: GanService;
  /** Who is asking, for the wallet dialog (names the notebook when known). */
  requester(): IWalletRequester;
  /** Folder of the current notebook, for "Save image". */
  currentDirectory(): string;
  contents: Contents.IManager | null;
  /** The jupyterlab_ocean bundle; English without one. */
  trans?: TranslationBundle;
  /**
   * The wallet's account and when it may have changed (the wallet's state
   * signal): access belongs to an account, so a switch checks it again.
   */
  account?: {
    current(): string | null;
    changed: ISignal<unknown, unknown>;
  } | null;
  /** Where a purchase made here is recorded (the notebook's provenance). */
  recorder?: IAssetCardRecorder | null;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function describe(error: unknown): string {
  if (error instanceof OceanError) {
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

function formatMs(ms: number, trans: TranslationBundle): string {
  return trans.__('%1 ms', ms >= 100 ? Math.round(ms) : ms.toFixed(1));
}

export class GanOutputWidget extends Widget implements IRenderMime.IRenderer {
  private _context: IGanRendererContext;
  private _trans: TranslationBundle;
  private _model: IRenderMime.IMimeModel | null = null;
  private _payload: IGanCellPayload | null = null;
  /** JSON of the payload last rendered, so our own write-back does not re-run. */
  private _renderedKey = '';
  private _state: GanCellState = 'idle';
  private _info: IGanModelInfo | null = null;
  private _lastRun: IGanRun | null = null;
  private _busy: Promise<void> = Promise.resolve();
  /** The account whose access the cell last checked. */
  private _account: string | null = null;
  /** The order the cell's access check found (or its purchase made). */
  private _grant: IOceanAccessGrant | null = null;
  /** `did chain order` of the use last recorded: a re-generation asks nothing. */
  private _recordedUse = '';

  private _title = element('div', 'jp-OceanGan-title');
  private _status = element('div', 'jp-OceanGan-status');
  private _lock = element('div', 'jp-OceanGan-lock');
  private _buyButton = element(
    'button',
    'jp-OceanGan-buy jp-mod-styled jp-mod-accept'
  );
  private _pause = element('div', 'jp-OceanGan-pause');
  private _pauseText = element('p', '');
  private _runButton = element(
    'button',
    'jp-OceanGan-run jp-mod-styled jp-mod-accept'
  );
  private _canvas = element('canvas', 'jp-OceanGan-grid');
  /** The PNG a previous run stored in the output, shown until a live grid exists. */
  private _saved = element('img', 'jp-OceanGan-saved');
  private _controls = element('div', 'jp-OceanGan-controls');
  private _seedInput = element('input', 'jp-OceanGan-seed');
  private _batchSelect = element('select', 'jp-OceanGan-batch');
  private _interpolate = element('input', 'jp-OceanGan-interpolate');
  private _seedBInput = element('input', 'jp-OceanGan-seedB');
  private _footer = element('div', 'jp-OceanGan-footer');

  constructor(context: IGanRendererContext) {
    super();
    this._context = context;
    this._trans = context.trans ?? nullTranslator.load('jupyterlab_ocean');
    this.addClass('jp-OceanGan');
    this._build();
    this._setState('idle');
    // Access bought elsewhere (another cell, the Discover tab, a kernel)
    // unlocks this cell too.
    context.service.clientOrNull()?.accessChanged.connect(this._onAccess, this);
    this._account = context.account?.current() ?? null;
    context.account?.changed.connect(this._onAccount, this);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._context.service
      .clientOrNull()
      ?.accessChanged.disconnect(this._onAccess, this);
    this._context.account?.changed.disconnect(this._onAccount, this);
    super.dispose();
  }

  private _onAccess(_: unknown, grant: IOceanAccessGrant): void {
    if (
      (this._state === 'locked' || this._state === 'paused') &&
      grant.did === this._payload?.did
    ) {
      void this._enqueue(() => this._show());
    }
  }

  /**
   * Another account: what the last one unlocked is not this one's. The grid
   * goes and access is checked again, so the cell locks (or pauses, or runs
   * again) as it would for this account from the start.
   */
  private _onAccount(): void {
    const account = this._context.account?.current() ?? null;
    // Locking hides the account without changing it: nothing to re-check.
    if (account === null || account === this._account) {
      return;
    }
    this._account = account;
    if (!this._payload || this._state === 'idle') {
      return;
    }
    this._lastRun = null;
    this._footer.textContent = '';
    delete this.node.dataset.backend;
    delete this.node.dataset.source;
    void this._enqueue(() => this._show());
  }

  get state(): GanCellState {
    return this._state;
  }

  private _build(): void {
    const trans = this._trans;
    const header = element('div', 'jp-OceanGan-header');
    header.append(this._title, this._status);

    this._buyButton.type = 'button';
    this._buyButton.addEventListener('click', () => void this._buy());
    this._lock.append(
      element(
        'p',
        '',
        trans.__(
          'This generator is token-gated: buy access once and it runs here, in your browser.'
        )
      ),
      this._buyButton
    );
    this._runButton.type = 'button';
    this._runButton.textContent = trans.__('Run the generator');
    this._runButton.addEventListener(
      'click',
      () => void this._enqueue(() => this._show(true))
    );
    this._pause.append(this._pauseText, this._runButton);

    this._seedInput.type = 'number';
    this._seedInput.min = '0';
    this._seedInput.title = trans.__('Seed of the first image');
    this._seedInput.setAttribute('aria-label', trans.__('Seed'));
    const newSeed = element(
      'button',
      'jp-OceanGan-newSeed jp-mod-styled',
      trans.__('New seed')
    );
    newSeed.type = 'button';
    newSeed.addEventListener('click', () => {
      const seed = crypto.getRandomValues(new Uint32Array(1))[0] % 1_000_000;
      this._update({ seed });
    });
    this._seedInput.addEventListener('change', () => {
      const seed = Number(this._seedInput.value);
      if (Number.isInteger(seed) && seed >= 0) {
        this._update({ seed });
      }
    });
    for (const size of BATCH_SIZES.filter(n => n <= GAN_MAX_IMAGES)) {
      const option = document.createElement('option');
      option.value = String(size);
      option.textContent = trans._n('%1 image', '%1 images', size);
      this._batchSelect.append(option);
    }
    this._batchSelect.setAttribute('aria-label', trans.__('Batch size'));
    this._batchSelect.addEventListener('change', () =>
      this._update({ n: Number(this._batchSelect.value) })
    );
    this._interpolate.type = 'checkbox';
    this._interpolate.setAttribute(
      'aria-label',
      trans.__('Interpolate between two seeds')
    );
    this._seedBInput.type = 'number';
    this._seedBInput.min = '0';
    this._seedBInput.setAttribute('aria-label', trans.__('Second seed'));
    const applyInterpolation = () => {
      const seedB = Number(this._seedBInput.value);
      this._seedBInput.disabled = !this._interpolate.checked;
      if (!this._interpolate.checked) {
        this._update({ seedB: undefined });
      } else if (Number.isInteger(seedB) && seedB >= 0) {
        this._update({ seedB });
      }
    };
    this._interpolate.addEventListener('change', applyInterpolation);
    this._seedBInput.addEventListener('change', applyInterpolation);
    const interpolateLabel = element('label', 'jp-OceanGan-interpolateLabel');
    interpolateLabel.append(
      this._interpolate,
      document.createTextNode(` ${trans.__('interpolate to seed')} `)
    );
    const save = element(
      'button',
      'jp-OceanGan-save jp-mod-styled',
      trans.__('Save image')
    );
    save.type = 'button';
    save.addEventListener('click', () => void this._save());
    const seedLabel = element('label', '', `${trans.__('seed')} `);
    seedLabel.append(this._seedInput);
    this._controls.append(
      seedLabel,
      newSeed,
      this._batchSelect,
      interpolateLabel,
      this._seedBInput,
      save
    );
    this._canvas.setAttribute('role', 'img');
    this.node.append(
      header,
      this._lock,
      this._pause,
      this._saved,
      this._canvas,
      this._controls,
      this._footer
    );
  }

  private _setState(state: GanCellState, status = ''): void {
    this._state = state;
    this.node.dataset.state = state;
    this._status.textContent = status;
    this._lock.hidden = state !== 'locked' && state !== 'buying';
    this._pause.hidden = state !== 'paused';
    this._buyButton.disabled = state === 'buying';
    const hasImages = this._lastRun !== null;
    this._canvas.hidden = !hasImages;
    this._saved.hidden = hasImages || !this._saved.src;
    this._controls.hidden = !(
      state === 'ready' ||
      (hasImages && state === 'loading')
    );
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this._model = model;
    let payload: IGanCellPayload;
    try {
      payload = parseGanPayload(model.data[GAN_MIME_TYPE]);
    } catch (error) {
      this._setState('error', describe(error));
      return;
    }
    const key = JSON.stringify(payload);
    if (key === this._renderedKey) {
      return; // our own write-back of the PNG, or an unchanged re-render
    }
    this._renderedKey = key;
    this._payload = payload;
    const png = model.data['image/png'];
    if (typeof png === 'string' && /^[A-Za-z0-9+/=\s]+$/.test(png)) {
      // What the notebook file holds from the last run: visible while the
      // wallet is locked or before access is checked, never re-generated.
      this._saved.src = `data:image/png;base64,${png.replace(/\s/g, '')}`;
      this._saved.alt = this._trans.__(
        'Images saved in this notebook by an earlier run'
      );
    }
    this._syncControls();
    await this._enqueue(() => this._show());
  }

  private _enqueue(task: () => Promise<void>): Promise<void> {
    const next = this._busy.then(task, task);
    this._busy = next.catch(() => undefined);
    return next;
  }

  private _syncControls(): void {
    const payload = this._payload!;
    this._seedInput.value = String(payload.seed);
    this._batchSelect.value = String(payload.n);
    if (!BATCH_SIZES.includes(payload.n)) {
      const option = document.createElement('option');
      option.value = String(payload.n);
      option.textContent = this._trans._n('%1 image', '%1 images', payload.n);
      this._batchSelect.append(option);
      this._batchSelect.value = String(payload.n);
    }
    this._interpolate.checked = payload.seedB !== undefined;
    this._seedBInput.disabled = payload.seedB === undefined;
    this._seedBInput.value = String(payload.seedB ?? payload.seed + 1);
  }

  /**
   * Checks access, then renders or shows the lock.
   *
   * An output never asks the wallet by itself: rendering (a notebook opened,
   * a workspace restored, access bought elsewhere) runs the generator only
   * when that needs no signature (the verified model is in memory or the
   * browser cache). Otherwise it pauses until a person presses Run here,
   * `byPerson`. An untrusted notebook's output asks nothing at all, not even
   * the chain, until then.
   */
  private async _show(byPerson = false): Promise<void> {
    const payload = this._payload!;
    const service = this._context.service;
    const trans = this._trans;
    if (!byPerson && this._model && !this._model.trusted) {
      this._pauseText.textContent = trans.__(
        'This output is from a notebook you have not trusted, so it asks for nothing by itself. Run it to check access and generate here.'
      );
      this._setState('paused', trans.__('Not trusted'));
      return;
    }
    this._setState('checking', trans.__('Checking access…'));
    try {
      this._info = await service.model(payload.did);
      this._title.textContent = this._info.asset.name;
      const price = this._info.asset.price;
      this._buyButton.textContent =
        price.type === 'dispenser' || price.amount === '0'
          ? trans.__('Get access (free)')
          : trans.__(
              'Buy access for %1 %2',
              price.amount,
              price.symbol ?? 'OCEAN'
            );
      const grant = await service.findAccess(payload.did);
      this._grant = grant;
      if (!grant) {
        this._setState('locked', trans.__('Locked'));
        return;
      }
      if (!byPerson && !(await service.readyWithoutSignature(payload.did))) {
        this._pauseText.textContent = trans.__(
          'You have access. Running downloads the model once, which asks your wallet to sign in to the Ocean Node.'
        );
        this._setState('paused', trans.__('Ready to run'));
        return;
      }
      await this._generate();
    } catch (error) {
      this._setState('error', describe(error));
    }
  }

  private async _buy(): Promise<void> {
    const payload = this._payload;
    if (!payload || this._state === 'buying') {
      return;
    }
    await this._enqueue(async () => {
      this._setState('buying', this._trans.__('Waiting for the wallet…'));
      // Found at the click: the output may have moved since it was rendered.
      const origin = this._context.recorder?.locate(this.node) ?? null;
      try {
        const grant = await this._context.service.getAccess(
          payload.did,
          this._context.requester(),
          progress => this._progress(progress)
        );
        this._grant = grant;
        const unrecorded = origin
          ? await this._recordOrder(origin, payload.did, grant)
          : '';
        await this._generate(origin);
        if (unrecorded && this._state === 'ready') {
          this._status.textContent = unrecorded;
        }
      } catch (error) {
        const rejected = error instanceof OceanError && error.code === 4001;
        this._setState(
          'locked',
          rejected
            ? this._trans.__('Purchase cancelled in the wallet.')
            : describe(error)
        );
      }
    });
  }

  /**
   * The purchase in the notebook's provenance, as an asset card's "Get
   * access" is. Returns the sentence to show when it could not be written
   * (the access is bought and stays either way).
   */
  private async _recordOrder(
    origin: IAssetCardOrigin,
    did: string,
    grant: IOceanAccessGrant
  ): Promise<string> {
    try {
      const { asset } = await this._context.service.model(did);
      await this._context.recorder!.recordOrder(origin, asset, grant);
      return '';
    } catch (error) {
      return this._trans.__(
        "Access is yours, but it was not recorded in the notebook's provenance: %1",
        describe(error)
      );
    }
  }

  /**
   * The images came from the model under the order the access check found
   * (bought here or earlier, in another cell or the Discover tab): a use of
   * the model in the notebook's provenance, once per cell and model. Returns
   * the sentence to show when it could not be written.
   */
  private async _recordUse(
    did: string,
    origin: IAssetCardOrigin | null
  ): Promise<string> {
    const grant = this._grant;
    const recorder = this._context.recorder;
    if (!recorder || !grant || grant.did !== did) {
      return '';
    }
    const key = `${did} ${grant.chainId} ${grant.orderTxId}`;
    if (key === this._recordedUse) {
      return '';
    }
    const where = origin ?? recorder.locate(this.node);
    if (!where) {
      return ''; // Not in a notebook (a linked output view): no record.
    }
    try {
      const { asset } = await this._context.service.model(did);
      await recorder.recordModelUse(where, asset, grant);
      this._recordedUse = key;
      return '';
    } catch (error) {
      return this._trans.__(
        "The images are here, but their model's use was not recorded in the notebook's provenance: %1",
        describe(error)
      );
    }
  }

  private _progress(progress: IOceanProgress): void {
    const fraction =
      progress.fraction !== undefined
        ? ` ${Math.round(progress.fraction * 100)} %`
        : '';
    this._status.textContent = `${progress.message}${fraction}`;
  }

  /** `origin`: where the cell was at a purchase's click, when that started it. */
  private async _generate(
    origin: IAssetCardOrigin | null = null
  ): Promise<void> {
    const payload = this._payload!;
    this._setState('loading', this._trans.__('Loading the model…'));
    try {
      const run = await this._context.service.generate(
        payload,
        this._context.requester(),
        progress => this._progress(progress)
      );
      this._lastRun = run;
      this._draw(run);
      this._setState('ready', '');
      this._footer.textContent = this._describeRun(run);
      this.node.dataset.backend = run.backend;
      this.node.dataset.source = run.source;
      this._writeBack(payload);
      const unrecorded = await this._recordUse(payload.did, origin);
      if (unrecorded) {
        this._status.textContent = unrecorded;
      }
    } catch (error) {
      if (error instanceof OceanError && error.code === 'OCEAN_BAD_ASSET') {
        // Never keep a model that failed verification.
        await this._context.service.forget(payload.did).catch(() => undefined);
      }
      this._lastRun = null;
      this._setState('error', describe(error));
    }
  }

  private _describeRun(run: IGanRun): string {
    const trans = this._trans;
    const backend = run.backend === 'webgpu' ? 'WebGPU' : 'WebAssembly';
    const parts = [
      `${backend} (${run.reason})`,
      trans._n(
        '%1 image in %2 (%3 per image)',
        '%1 images in %2 (%3 per image)',
        run.count,
        formatMs(run.inferenceMs, trans),
        formatMs(run.inferenceMs / run.count, trans)
      )
    ];
    if (run.loadMs > 0) {
      parts.push(
        trans.__('runtime + model load %1', formatMs(run.loadMs, trans))
      );
    }
    parts.push(
      run.source === 'download'
        ? trans.__('model downloaded and verified')
        : run.source === 'cache'
          ? trans.__('model from browser cache (verified)')
          : trans.__('model already loaded')
    );
    return parts.join(' · ');
  }

  private _draw(run: IGanRun): void {
    const scale = this._payload?.scale ?? 3;
    const { count, height, width, pixels } = run;
    const columns = Math.ceil(Math.sqrt(count));
    const rows = Math.ceil(count / columns);
    const canvasWidth = columns * width + (columns + 1) * GAP;
    const canvasHeight = rows * height + (rows + 1) * GAP;
    // Draw at model resolution, then let CSS scale with crisp pixels; the
    // PNG written back is scaled the same way so it looks right anywhere.
    const small = document.createElement('canvas');
    small.width = canvasWidth;
    small.height = canvasHeight;
    const smallContext = small.getContext('2d')!;
    const image = smallContext.createImageData(canvasWidth, canvasHeight);
    image.data.fill(255);
    for (let i = 0; i < count; i++) {
      const x0 = GAP + (i % columns) * (width + GAP);
      const y0 = GAP + Math.floor(i / columns) * (height + GAP);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const src = ((i * height + y) * width + x) * 3;
          const dst = ((y0 + y) * canvasWidth + x0 + x) * 4;
          for (let c = 0; c < 3; c++) {
            image.data[dst + c] = Math.round(
              Math.min(1, Math.max(0, pixels[src + c])) * 255
            );
          }
          image.data[dst + 3] = 255;
        }
      }
    }
    smallContext.putImageData(image, 0, 0);
    this._canvas.width = canvasWidth * scale;
    this._canvas.height = canvasHeight * scale;
    const context = this._canvas.getContext('2d')!;
    context.imageSmoothingEnabled = false;
    context.drawImage(small, 0, 0, canvasWidth * scale, canvasHeight * scale);
    const dataset = this._canvas.dataset;
    dataset.columns = String(columns);
    dataset.scale = String(scale);
    dataset.gap = String(GAP);
    dataset.imageHeight = String(height);
    dataset.imageWidth = String(width);
    dataset.count = String(count);
    this._canvas.setAttribute(
      'aria-label',
      this._trans._n(
        '%1 generated image: %2',
        '%1 generated images: %2',
        count,
        run.labels.join(', ')
      )
    );
  }

  /** The grid as base64 PNG (no data: prefix). */
  private _png(): string {
    return this._canvas
      .toDataURL('image/png')
      .replace(/^data:image\/png;base64,/, '');
  }

  /**
   * Stores the settings and the PNG in the output itself: the notebook file
   * then carries the images, and re-opening it restores the controls.
   */
  private _writeBack(payload: IGanCellPayload): void {
    const model = this._model;
    if (!model) {
      return;
    }
    const data = {
      ...model.data,
      [GAN_MIME_TYPE]: {
        ...payload
      } as unknown as IRenderMime.IMimeModel['data'][string],
      'image/png': this._png(),
      'text/plain': `<${payload.n} images from the GAN ${payload.did}, seed ${payload.seed}${
        payload.seedB !== undefined ? ` → ${payload.seedB}` : ''
      }>`
    };
    this._renderedKey = JSON.stringify(payload);
    model.setData({ data });
  }

  private _update(change: Partial<IGanCellPayload>): void {
    if (!this._payload) {
      return;
    }
    const next: IGanCellPayload = { ...this._payload, ...change };
    if ('seedB' in change && change.seedB === undefined) {
      delete next.seedB;
    }
    this._payload = parseGanPayload(next);
    this._renderedKey = JSON.stringify(this._payload);
    this._syncControls();
    void this._enqueue(() => this._generate());
  }

  private async _save(): Promise<void> {
    const contents = this._context.contents;
    const payload = this._payload;
    if (!contents || !payload || !this._lastRun) {
      return;
    }
    const directory = this._context.currentDirectory();
    const name = `gan-seed${payload.seed}${payload.seedB !== undefined ? `-to-${payload.seedB}` : ''}-n${payload.n}.png`;
    const path = directory ? `${directory}/${name}` : name;
    try {
      await writeWorkspaceFile(contents, path, base64ToBytes(this._png()));
      this._status.textContent = this._trans.__('Saved %1', path);
    } catch (error) {
      this._status.textContent = this._trans.__(
        'Could not save the image: %1',
        describe(error)
      );
    }
  }
}
