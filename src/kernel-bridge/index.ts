/**
 * The kernel bridge: the wallet session shared with Python and Deno kernels.
 *
 * Offers IKernelBridge (commands for `%ocean <name>` and `ocean.<name>()`),
 * serves an EIP-1193 provider to every notebook kernel over the
 * stdin channel (see transport.ts for why), and sends the kernel-side client
 * into a kernel the first time a cell mentions Ocean.
 */
export { KernelBridge, BridgeError } from './bridge';
export { mimeResult, tableResult } from './results';
export type { IKernelResult } from './results';
export { parseArgs, tokenize } from './args';
export * from './protocol';
export { kernelBridgePlugin } from './plugin';
export { LazyKernelBridge } from './lazy-bridge';
