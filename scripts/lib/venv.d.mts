// Types for venv.mjs, so the TypeScript UI tests can import it.
export const root: string;
export const VENV: string;
export const VENV_PYTHON: string;
export const LOCK_FILE: string;
export function venvBin(name: string, venv?: string): string;
export function basePython(): string;
export function ensureVenv(options?: {
  venv?: string;
  lockFile?: string;
  python?: string;
}): boolean;
export function jupyterlabPackageDir(venv?: string): string;
