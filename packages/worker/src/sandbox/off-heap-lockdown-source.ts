/**
 * In-isolate source: removes the ways user code could allocate memory that isolated-vm's
 * `memoryLimit` does not count (issue 12, probed on Node 24 / isolated-vm 6):
 *
 * - `WebAssembly.Memory` is allocated outside the V8 heap and outside isolated-vm's array buffer
 *   allocator: three 1 GiB memories took the host to 3.2 GB under a 128 MB limit. The model has no
 *   use for WebAssembly, so the namespace is removed (nothing else in the isolate refers to it).
 * - A resizable `ArrayBuffer` / growable `SharedArrayBuffer` (`maxByteLength`) reserves its maximum
 *   as address space and commits pages on `resize` / `grow` without asking the allocator, so the
 *   same probe with `resize` reached 3.2 GB too. Without `resize`, `grow` and `transfer` (which
 *   may resize in place) a buffer never holds more than the length it was allocated with, and
 *   that allocation is counted: plain `new ArrayBuffer(1 GiB)` fails at the limit as it should.
 *
 * Runs first in the bootstrap closure, before any intrinsic is captured; the properties are
 * deleted from the prototypes themselves, so no other path reaches the original functions.
 */
export const OFF_HEAP_LOCKDOWN_SOURCE = String.raw`
delete globalThis.WebAssembly;
for (const [prototype, names] of [
  [ArrayBuffer.prototype, ['resize', 'transfer', 'transferToFixedLength']],
  [SharedArrayBuffer.prototype, ['grow']],
]) {
  for (const name of names) delete prototype[name];
}
`;
