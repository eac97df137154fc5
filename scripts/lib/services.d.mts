// Types for services.mjs, so the TypeScript UI fixtures can import it.
export const root: string;
export const CHROMIUM_LAUNCH: Readonly<{
  executablePath: string;
  headless: boolean;
  args: readonly string[];
}>;
export const LABEXTENSION_DIR: string;
export function freePort(): Promise<number>;

export interface IRunningProcess {
  stop(graceMs?: number): Promise<void>;
  log(): string;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

export function startStack(options: {
  stateDir: string;
  ports?: { chain: number; node: number; faucet: number; files: number };
  echo?: boolean;
  samples?: boolean;
}): Promise<IRunningProcess & { info: Record<string, any> }>;

export function stackSettings(info: Record<string, any>): Record<string, unknown>;

export function startLab(options: {
  port?: number;
  rootDir: string;
  stateDir: string;
  token: string;
  app?: 'lab' | 'notebook';
  venv?: string;
  extensions?: string[];
  extraLabextensionsDirs?: string[];
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  exposeApp?: boolean;
  echo?: boolean;
}): Promise<
  IRunningProcess & {
    url: string;
    baseUrl: string;
    port: number;
    token: string;
    rootDir: string;
    stateDir: string;
  }
>;
