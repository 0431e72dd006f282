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
 * - `Intl` objects each hold ICU state in C++ memory that neither limit counts (measured: 200,000
 *   `Intl.DateTimeFormat`s kept in an array took the host to 5 GB under a 129 MB limit), and an
 *   `Intl.Segmenter`'s segments keep a UTF-16 copy of their string there (twenty over a 40 MB
 *   string: 1.7 GB). The namespace is removed; `toLocaleString` and `localeCompare` still work
 *   (their ICU objects are temporary: 200,000 calls with options grew the process by 85 MB).
 *
 * Runs first in the bootstrap closure, before any intrinsic is captured; the properties are
 * deleted from the prototypes themselves, so no other path reaches the original functions.
 */
export const OFF_HEAP_LOCKDOWN_SOURCE = String.raw`
delete globalThis.WebAssembly;
delete globalThis.Intl;
for (const [prototype, names] of [
  [ArrayBuffer.prototype, ['resize', 'transfer', 'transferToFixedLength']],
  [SharedArrayBuffer.prototype, ['grow']],
]) {
  for (const name of names) delete prototype[name];
}
`;
