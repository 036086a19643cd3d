import { createHmac, randomBytes } from "node:crypto";

/**
 * A UID under the 2.25 root (ISO/IEC 9834-8: a UUID written as one decimal integer) from 16 bytes,
 * with the UUID version and variant bits set so that the integer is a valid UUID.
 */
export function uidFromBytes(bytes: Uint8Array, version = 4): string {
  const b = Uint8Array.from(bytes.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | (version << 4);
  b[8] = (b[8] & 0x3f) | 0x80;
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return `2.25.${n.toString()}`;
}

/** A fresh random UID (2.25 + a random UUID, version 4). */
export function newUid(): string {
  return uidFromBytes(randomBytes(16), 4);
}

/**
 * A UID derived from `uid` by HMAC-SHA256 under `key` (UUID version 8, "custom"): the same input and
 * key always give the same output, and without the key the input cannot be recovered or confirmed.
 */
export function keyedUid(key: Uint8Array, uid: string): string {
  return uidFromBytes(createHmac("sha256", key).update(`uid:${uid}`).digest(), 8);
}

/** Implementation Class UID of files unmask writes (a fixed UUID-derived 2.25 UID). */
export const UNMASK_IMPLEMENTATION_UID = "2.25.190956135667661772887628003349794599568"; // from SHA-256("unmask implementation class"), version 8
/** Implementation Version Name written in the file meta (SH, at most 16 characters). */
export const UNMASK_IMPLEMENTATION_VERSION = "UNMASK_0_1";
