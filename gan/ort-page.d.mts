/** Types of ort-page.mjs for the TypeScript tests that import it. */
export declare const ORT_DIR: string;
export declare const MODEL_PATH: string;
export declare function serveOrtPage(options: {
  html: string;
  modelPath?: string;
}): Promise<{ origin: string; close: () => void }>;
