/** Transfer syntaxes unmask can read pixel data from. */
export const NATIVE_SYNTAXES: Record<string, string> = {
  "1.2.840.10008.1.2": "Implicit VR Little Endian",
  "1.2.840.10008.1.2.1": "Explicit VR Little Endian",
  "1.2.840.10008.1.2.2": "Explicit VR Big Endian",
  "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian",
  "1.2.840.10008.1.2.5": "RLE Lossless",
};

/** Names of the compressed syntaxes, for error messages (DICOM PS3.6 Table A-1). */
const COMPRESSED_SYNTAXES: Record<string, string> = {
  "1.2.840.10008.1.2.4.50": "JPEG Baseline (Process 1)",
  "1.2.840.10008.1.2.4.51": "JPEG Extended (Process 2 & 4)",
  "1.2.840.10008.1.2.4.57": "JPEG Lossless, Non-Hierarchical (Process 14)",
  "1.2.840.10008.1.2.4.70": "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 SV1)",
  "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless",
  "1.2.840.10008.1.2.4.81": "JPEG-LS Lossy (Near-Lossless)",
  "1.2.840.10008.1.2.4.90": "JPEG 2000 (Lossless Only)",
  "1.2.840.10008.1.2.4.91": "JPEG 2000",
  "1.2.840.10008.1.2.4.100": "MPEG2 Main Profile @ Main Level",
  "1.2.840.10008.1.2.4.102": "MPEG-4 AVC/H.264 High Profile",
  "1.2.840.10008.1.2.4.201": "High-Throughput JPEG 2000 (Lossless Only)",
  "1.2.840.10008.1.2.4.203": "High-Throughput JPEG 2000",
};

/** Human-readable name of a transfer syntax UID. */
export function transferSyntaxName(uid: string): string {
  return NATIVE_SYNTAXES[uid] ?? COMPRESSED_SYNTAXES[uid] ?? `unknown transfer syntax`;
}

/** Compressed syntaxes decoded by a codec (lib/src/dicom/codecs.ts); 12-bit JPEG Extended is refused at decode time. */
const CODEC_DECODED = new Set([
  "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70",
  "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91",
]);

/** Whether unmask decodes pixel data in this syntax (JPEG Extended: only its 8-bit form). */
export function isSupportedSyntax(uid: string): boolean {
  return uid in NATIVE_SYNTAXES || CODEC_DECODED.has(uid);
}

/** Whether the UID is a transfer syntax unmask can name (decodable or not). */
export function isKnownSyntax(uid: string): boolean {
  return uid in NATIVE_SYNTAXES || uid in COMPRESSED_SYNTAXES;
}
