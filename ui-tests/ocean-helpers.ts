/**
 * Shared steps of the Ocean UI tests: publishing extra assets on the test
 * stack (with the stack's own publishing code) and opening Discover.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, type IStackInfo } from './fixtures';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface IAssetSpec {
  name: string;
  description: string;
  tags?: string[];
  pricing: { type: 'free' } | { type: 'fixed'; priceInOcean: string };
  files: { url: string; headers?: Record<string, string> }[];
  links?: string[];
  contentType?: string;
  timeout?: number;
  /** SPDX identifier (CC0-1.0 unless given). */
  license?: string;
}

/** Publishes assets on the stack with the stack's own publishing code. */
export function publish(stack: IStackInfo, specs: IAssetSpec[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'jlo-publish-'));
  try {
    const specsFile = join(dir, 'specs.json');
    writeFileSync(specsFile, JSON.stringify(specs));
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'bench', 'preview-publish.mts'),
        join(stack.stateDir, 'stack.json'),
        specsFile
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 }
    );
    return JSON.parse(out.trim().split('\n').pop()!).dids;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The public sample link of one of the stack's sample assets. */
export async function publicSampleUrl(
  stack: IStackInfo,
  role: string
): Promise<string> {
  const response = await fetch(
    `${stack.nodeUrl}/api/aquarius/assets/ddo/${stack.samples[role]}`
  );
  const ddo = await response.json();
  return ddo.metadata.links[0];
}

export async function openDiscover(page: Page) {
  // Through the command: clicking the tab would close it when the restored
  // layout already shows it.
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('ocean:discover')
  );
  const list = page.locator('#jupyterlab-ocean-discover ocean-discover-list');
  await expect(list).toBeVisible();
  return list;
}

/**
 * The lab's networks become the local one and "Elsewhere", a second network
 * on a loopback port where nothing answers (tests never leave the machine).
 * The active network is a user setting the worker's shared lab keeps: a
 * test that selects Elsewhere switches back before it ends, and the
 * fixtures put the lab's own network back before each test.
 */
export async function addElsewhere(
  page: Page,
  stack: IStackInfo
): Promise<void> {
  await page.evaluate(async stack => {
    const app = (window as any).jupyterapp;
    const services: Map<any, string> = app.pluginRegistry._services;
    const token = [...services.keys()].find(
      t => t.name === '@jupyterlab/coreutils:ISettingRegistry'
    );
    const settings = await app.resolveRequiredService(token);
    await settings.set('jupyterlab-ocean:networks', 'networks', [
      {
        key: 'local',
        name: 'Local Ocean network',
        chainId: stack.chainId,
        rpcUrl: stack.rpcUrl,
        nodeUrl: stack.nodeUrl,
        faucetUrl: stack.faucetUrl
      },
      {
        key: 'elsewhere',
        name: 'Elsewhere',
        chainId: 31337,
        rpcUrl: 'http://127.0.0.1:9',
        nodeUrl: 'http://127.0.0.1:9',
        nativeSymbol: 'XYZ'
      }
    ]);
  }, stack);
}
