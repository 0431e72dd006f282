/**
 * The one place hashes are computed. Content addresses are lowercase hex
 * sha256 over UTF-8; structured values are hashed over their canonical JSON
 * (object keys sorted, no whitespace) so equal values always hash alike.
 */
import { createHash } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** JSON with object keys sorted recursively; `undefined` members are dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) => {
    if (member === null || typeof member !== 'object' || Array.isArray(member)) return member;
    // A null prototype, so a key named "__proto__" stays an ordinary key instead of setting the prototype.
    const sorted = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(member).sort()) sorted[key] = (member as Record<string, unknown>)[key];
    return sorted;
  });
}

export function hashValue(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
