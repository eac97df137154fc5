/**
 * Base64 for the browser (no Node Buffer): the one implementation, for the
 * kernel bridge's `{"$bytes": …}` values and JupyterLab's Contents API
 * alike. The Deno kernel client keeps its own copy: it runs in the kernel.
 */

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: spreading megabytes into one fromCharCode call overflows the stack.
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step));
  }
  return btoa(binary);
}

/** atob skips whitespace, so the Contents API's line-wrapped base64 reads as is. */
export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}
