import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { networksPlugin } from './ocean';
import { panelPlugin } from './widget';

/**
 * Every plugin of jupyterlab-ocean. Each lives in its room's entry file.
 */
const plugins: JupyterFrontEndPlugin<any>[] = [networksPlugin, panelPlugin];

export default plugins;
