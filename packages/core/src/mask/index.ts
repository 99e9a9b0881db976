/**
 * mask — the streaming secret masker: every registered value, each line of a multi-line
 * value, each field of a JSON value and their common encodings, masked in bytes at any chunk boundary; and the
 * line-based variant list for platforms that mask on their own (GitHub `::add-mask::`).
 * docs/masking.md explains the rules.
 */
export { SecretMasker, DEFAULT_REPLACEMENT, type MaskerOptions, type ChunkMasker } from "./masker.js";
export {
  maskPatterns,
  maskVariants,
  tokenVariants,
  minMaskLength,
  DEFAULT_MIN_MASK_LENGTH,
  SHORT_SECRET_LENGTH,
  type VariantOptions,
} from "./variants.js";
export { jsonLeaves } from "./json-leaves.js";
export { renderings, allRenderings, base64Forms } from "./encodings.js";
