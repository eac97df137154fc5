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
import { Widget } from '@lumino/widgets';

import type {
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

function formatMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

export class GanOutputWidget extends Widget implements IRenderMime.IRenderer {
  #context: IGanRendererContext;
  #model: IRenderMime.IMimeModel | null = null;
  #payload: IGanCellPayload | null = null;
  /** JSON of the payload last rendered, so our own write-back does not re-run. */
  #renderedKey = '';
  #state: GanCellState = 'idle';
  #info: IGanModelInfo | null = null;
  #lastRun: IGanRun | null = null;
  #busy: Promise<void> = Promise.resolve();

  #title = element('div', 'jp-OceanGan-title');
  #status = element('div', 'jp-OceanGan-status');
  #lock = element('div', 'jp-OceanGan-lock');
  #buyButton = element('button', 'jp-OceanGan-buy jp-mod-styled jp-mod-accept');
  #pause = element('div', 'jp-OceanGan-pause');
  #pauseText = element('p', '');
  #runButton = element('button', 'jp-OceanGan-run jp-mod-styled jp-mod-accept');
  #canvas = element('canvas', 'jp-OceanGan-grid');
  /** The PNG a previous run stored in the output, shown until a live grid exists. */
  #saved = element('img', 'jp-OceanGan-saved');
  #controls = element('div', 'jp-OceanGan-controls');
  #seedInput = element('input', 'jp-OceanGan-seed');
  #batchSelect = element('select', 'jp-OceanGan-batch');
  #interpolate = element('input', 'jp-OceanGan-interpolate');
  #seedBInput = element('input', 'jp-OceanGan-seedB');
  #footer = element('div', 'jp-OceanGan-footer');

  constructor(context: IGanRendererContext) {
    super();
    this.#context = context;
    this.addClass('jp-OceanGan');
    this.#build();
    this.#setState('idle');
    // Access bought elsewhere (another cell, the Discover tab, a kernel)
    // unlocks this cell too.
    context.service.clientOrNull()?.accessChanged.connect(this.#onAccess, this);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.#context.service
      .clientOrNull()
      ?.accessChanged.disconnect(this.#onAccess, this);
    super.dispose();
  }

  #onAccess(_: unknown, grant: IOceanAccessGrant): void {
    if (
      (this.#state === 'locked' || this.#state === 'paused') &&
      grant.did === this.#payload?.did
    ) {
      void this.#enqueue(() => this.#show());
    }
  }

  get state(): GanCellState {
    return this.#state;
  }

  #build(): void {
    const header = element('div', 'jp-OceanGan-header');
    header.append(this.#title, this.#status);

    this.#buyButton.type = 'button';
    this.#buyButton.addEventListener('click', () => void this.#buy());
    this.#lock.append(
      element(
        'p',
        '',
        'This generator is token-gated: buy access once and it runs here, in your browser.'
      ),
      this.#buyButton
    );
    this.#runButton.type = 'button';
    this.#runButton.textContent = 'Run the generator';
    this.#runButton.addEventListener(
      'click',
      () => void this.#enqueue(() => this.#show(true))
    );
    this.#pause.append(this.#pauseText, this.#runButton);

    this.#seedInput.type = 'number';
    this.#seedInput.min = '0';
    this.#seedInput.title = 'Seed of the first image';
    this.#seedInput.setAttribute('aria-label', 'Seed');
    const newSeed = element(
      'button',
      'jp-OceanGan-newSeed jp-mod-styled',
      'New seed'
    );
    newSeed.type = 'button';
    newSeed.addEventListener('click', () => {
      const seed = crypto.getRandomValues(new Uint32Array(1))[0] % 1_000_000;
      this.#update({ seed });
    });
    this.#seedInput.addEventListener('change', () => {
      const seed = Number(this.#seedInput.value);
      if (Number.isInteger(seed) && seed >= 0) {
        this.#update({ seed });
      }
    });
    for (const size of BATCH_SIZES.filter(n => n <= GAN_MAX_IMAGES)) {
      const option = document.createElement('option');
      option.value = String(size);
      option.textContent = `${size} images`;
      this.#batchSelect.append(option);
    }
    this.#batchSelect.setAttribute('aria-label', 'Batch size');
    this.#batchSelect.addEventListener('change', () =>
      this.#update({ n: Number(this.#batchSelect.value) })
    );
    this.#interpolate.type = 'checkbox';
    this.#interpolate.setAttribute(
      'aria-label',
      'Interpolate between two seeds'
    );
    this.#seedBInput.type = 'number';
    this.#seedBInput.min = '0';
    this.#seedBInput.setAttribute('aria-label', 'Second seed');
    const applyInterpolation = () => {
      const seedB = Number(this.#seedBInput.value);
      this.#seedBInput.disabled = !this.#interpolate.checked;
      if (!this.#interpolate.checked) {
        this.#update({ seedB: undefined });
      } else if (Number.isInteger(seedB) && seedB >= 0) {
        this.#update({ seedB });
      }
    };
    this.#interpolate.addEventListener('change', applyInterpolation);
    this.#seedBInput.addEventListener('change', applyInterpolation);
    const interpolateLabel = element('label', 'jp-OceanGan-interpolateLabel');
    interpolateLabel.append(
      this.#interpolate,
      document.createTextNode(' interpolate to seed ')
    );
    const save = element(
      'button',
      'jp-OceanGan-save jp-mod-styled',
      'Save image'
    );
    save.type = 'button';
    save.addEventListener('click', () => void this.#save());
    const seedLabel = element('label', '', 'seed ');
    seedLabel.append(this.#seedInput);
    this.#controls.append(
      seedLabel,
      newSeed,
      this.#batchSelect,
      interpolateLabel,
      this.#seedBInput,
      save
    );
    this.#canvas.setAttribute('role', 'img');
    this.node.append(
      header,
      this.#lock,
      this.#pause,
      this.#saved,
      this.#canvas,
      this.#controls,
      this.#footer
    );
  }

  #setState(state: GanCellState, status = ''): void {
    this.#state = state;
    this.node.dataset.state = state;
    this.#status.textContent = status;
    this.#lock.hidden = state !== 'locked' && state !== 'buying';
    this.#pause.hidden = state !== 'paused';
    this.#buyButton.disabled = state === 'buying';
    const hasImages = this.#lastRun !== null;
    this.#canvas.hidden = !hasImages;
    this.#saved.hidden = hasImages || !this.#saved.src;
    this.#controls.hidden = !(
      state === 'ready' ||
      (hasImages && state === 'loading')
    );
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.#model = model;
    let payload: IGanCellPayload;
    try {
      payload = parseGanPayload(model.data[GAN_MIME_TYPE]);
    } catch (error) {
      this.#setState('error', describe(error));
      return;
    }
    const key = JSON.stringify(payload);
    if (key === this.#renderedKey) {
      return; // our own write-back of the PNG, or an unchanged re-render
    }
    this.#renderedKey = key;
    this.#payload = payload;
    const png = model.data['image/png'];
    if (typeof png === 'string' && /^[A-Za-z0-9+/=\s]+$/.test(png)) {
      // What the notebook file holds from the last run: visible while the
      // wallet is locked or before access is checked, never re-generated.
      this.#saved.src = `data:image/png;base64,${png.replace(/\s/g, '')}`;
      this.#saved.alt = 'Images saved in this notebook by an earlier run';
    }
    this.#syncControls();
    await this.#enqueue(() => this.#show());
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.#busy.then(task, task);
    this.#busy = next.catch(() => undefined);
    return next;
  }

  #syncControls(): void {
    const payload = this.#payload!;
    this.#seedInput.value = String(payload.seed);
    this.#batchSelect.value = String(payload.n);
    if (!BATCH_SIZES.includes(payload.n)) {
      const option = document.createElement('option');
      option.value = String(payload.n);
      option.textContent = `${payload.n} images`;
      this.#batchSelect.append(option);
      this.#batchSelect.value = String(payload.n);
    }
    this.#interpolate.checked = payload.seedB !== undefined;
    this.#seedBInput.disabled = payload.seedB === undefined;
    this.#seedBInput.value = String(payload.seedB ?? payload.seed + 1);
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
  async #show(byPerson = false): Promise<void> {
    const payload = this.#payload!;
    const service = this.#context.service;
    if (!byPerson && this.#model && !this.#model.trusted) {
      this.#pauseText.textContent =
        'This output is from a notebook you have not trusted, so it asks for nothing by itself. Run it to check access and generate here.';
      this.#setState('paused', 'Not trusted');
      return;
    }
    this.#setState('checking', 'Checking access…');
    try {
      this.#info = await service.model(payload.did);
      this.#title.textContent = this.#info.asset.name;
      const price = this.#info.asset.price;
      this.#buyButton.textContent =
        price.type === 'dispenser' || price.amount === '0'
          ? 'Get access (free)'
          : `Buy access for ${price.amount} ${price.symbol ?? 'OCEAN'}`;
      const grant = await service.findAccess(payload.did);
      if (!grant) {
        this.#setState('locked', 'Locked');
        return;
      }
      if (!byPerson && !(await service.readyWithoutSignature(payload.did))) {
        this.#pauseText.textContent =
          'You have access. Running downloads the model once, which asks your wallet to sign in to the Ocean Node.';
        this.#setState('paused', 'Ready to run');
        return;
      }
      await this.#generate();
    } catch (error) {
      this.#setState('error', describe(error));
    }
  }

  async #buy(): Promise<void> {
    const payload = this.#payload;
    if (!payload || this.#state === 'buying') {
      return;
    }
    await this.#enqueue(async () => {
      this.#setState('buying', 'Waiting for the wallet…');
      try {
        await this.#context.service.getAccess(
          payload.did,
          this.#context.requester(),
          progress => this.#progress(progress)
        );
        await this.#generate();
      } catch (error) {
        const rejected = error instanceof OceanError && error.code === 4001;
        this.#setState(
          'locked',
          rejected ? 'Purchase cancelled in the wallet.' : describe(error)
        );
      }
    });
  }

  #progress(progress: IOceanProgress): void {
    const fraction =
      progress.fraction !== undefined
        ? ` ${Math.round(progress.fraction * 100)} %`
        : '';
    this.#status.textContent = `${progress.message}${fraction}`;
  }

  async #generate(): Promise<void> {
    const payload = this.#payload!;
    this.#setState('loading', 'Loading the model…');
    try {
      const run = await this.#context.service.generate(
        payload,
        this.#context.requester(),
        progress => this.#progress(progress)
      );
      this.#lastRun = run;
      this.#draw(run);
      this.#setState('ready', '');
      this.#footer.textContent = this.#describeRun(run);
      this.node.dataset.backend = run.backend;
      this.node.dataset.source = run.source;
      this.#writeBack(payload);
    } catch (error) {
      if (error instanceof OceanError && error.code === 'OCEAN_BAD_ASSET') {
        // Never keep a model that failed verification.
        await this.#context.service.forget(payload.did).catch(() => undefined);
      }
      this.#lastRun = null;
      this.#setState('error', describe(error));
    }
  }

  #describeRun(run: IGanRun): string {
    const backend = run.backend === 'webgpu' ? 'WebGPU' : 'WebAssembly';
    const parts = [
      `${backend} (${run.reason})`,
      `${run.count} images in ${formatMs(run.inferenceMs)} (${formatMs(run.inferenceMs / run.count)} per image)`
    ];
    if (run.loadMs > 0) {
      parts.push(`runtime + model load ${formatMs(run.loadMs)}`);
    }
    parts.push(
      run.source === 'download'
        ? 'model downloaded and verified'
        : run.source === 'cache'
          ? 'model from browser cache (verified)'
          : 'model already loaded'
    );
    return parts.join(' · ');
  }

  #draw(run: IGanRun): void {
    const scale = this.#payload?.scale ?? 3;
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
    this.#canvas.width = canvasWidth * scale;
    this.#canvas.height = canvasHeight * scale;
    const context = this.#canvas.getContext('2d')!;
    context.imageSmoothingEnabled = false;
    context.drawImage(small, 0, 0, canvasWidth * scale, canvasHeight * scale);
    const dataset = this.#canvas.dataset;
    dataset.columns = String(columns);
    dataset.scale = String(scale);
    dataset.gap = String(GAP);
    dataset.imageHeight = String(height);
    dataset.imageWidth = String(width);
    dataset.count = String(count);
    this.#canvas.setAttribute(
      'aria-label',
      `${count} generated images: ${run.labels.join(', ')}`
    );
  }

  /** The grid as base64 PNG (no data: prefix). */
  #png(): string {
    return this.#canvas
      .toDataURL('image/png')
      .replace(/^data:image\/png;base64,/, '');
  }

  /**
   * Stores the settings and the PNG in the output itself: the notebook file
   * then carries the images, and re-opening it restores the controls.
   */
  #writeBack(payload: IGanCellPayload): void {
    const model = this.#model;
    if (!model) {
      return;
    }
    const data = {
      ...model.data,
      [GAN_MIME_TYPE]: {
        ...payload
      } as unknown as IRenderMime.IMimeModel['data'][string],
      'image/png': this.#png(),
      'text/plain': `<${payload.n} images from the GAN ${payload.did}, seed ${payload.seed}${
        payload.seedB !== undefined ? ` → ${payload.seedB}` : ''
      }>`
    };
    this.#renderedKey = JSON.stringify(payload);
    model.setData({ data });
  }

  #update(change: Partial<IGanCellPayload>): void {
    if (!this.#payload) {
      return;
    }
    const next: IGanCellPayload = { ...this.#payload, ...change };
    if ('seedB' in change && change.seedB === undefined) {
      delete next.seedB;
    }
    this.#payload = parseGanPayload(next);
    this.#renderedKey = JSON.stringify(this.#payload);
    this.#syncControls();
    void this.#enqueue(() => this.#generate());
  }

  async #save(): Promise<void> {
    const contents = this.#context.contents;
    const payload = this.#payload;
    if (!contents || !payload || !this.#lastRun) {
      return;
    }
    const directory = this.#context.currentDirectory();
    const name = `gan-seed${payload.seed}${payload.seedB !== undefined ? `-to-${payload.seedB}` : ''}-n${payload.n}.png`;
    const path = directory ? `${directory}/${name}` : name;
    try {
      await writeWorkspaceFile(contents, path, base64ToBytes(this.#png()));
      this.#status.textContent = `Saved ${path}`;
    } catch (error) {
      this.#status.textContent = `Could not save the image: ${describe(error)}`;
    }
  }
}
