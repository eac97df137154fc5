import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH } from '../scripts/lib/services.mjs';

/**
 * UI tests run in Debian's Chromium (Playwright's own browser download is not
 * reachable here) against the lab host, started by the fixtures in
 * fixtures.ts on free loopback ports.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: './test-results',
  // Two cores: one worker keeps kernels, chain and browser from starving.
  workers: 1,
  fullyParallel: false,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  retries: 0,
  reporter: [['list'], ['html', { outputFolder: './report', open: 'never' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    video: 'off',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      ...CHROMIUM_LAUNCH,
      // WebGPU on (Chromium's software adapter here): GAN cells still choose
      // WebAssembly on their own, and the GAN tests can ask for WebGPU.
      args: [...CHROMIUM_LAUNCH.args, '--enable-unsafe-webgpu']
    }
  }
});
