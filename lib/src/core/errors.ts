/**
 * Errors are for broken input only. Each carries a stable `code` (for scripts and the CLI)
 * and, where there is one, the offending `path`. Not finding a face is never an error.
 */
export class UnmaskError extends Error {
  /** Stable machine-readable code, e.g. "NOT_DICOM". */
  readonly code: string;
  /** The file or folder the problem is about, when there is one. */
  readonly path?: string;
  constructor(code: string, message: string, path?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.path = path;
  }

  /** Console form: `Name CODE: message` without the stack (a notebook cell's last value). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `${this.name} ${this.code}: ${this.message}${this.path && !this.message.includes(this.path) ? ` (${this.path})` : ""}`;
  }
}

/** A path that does not exist or cannot be read. */
export class FileNotFoundError extends UnmaskError {
  constructor(path: string, what = "file or folder") {
    super("NOT_FOUND", `${what} not found: ${path}`, path);
  }
}

/** A file that is not DICOM (no DICM preamble and no parsable dataset). */
export class NotDicomError extends UnmaskError {
  constructor(path: string, detail: string) {
    super("NOT_DICOM", `${path}: not a DICOM file (${detail})`, path);
  }
}

/** A DICOM file cut short: the header parses but the pixel data (or a tag) runs past the end. */
export class TruncatedDicomError extends UnmaskError {
  /** Byte offset (in the file, or in the inflated stream for deflated files) where the data runs out, when known. */
  readonly offset?: number;
  constructor(path: string, detail: string, offset?: number) {
    super("TRUNCATED_DICOM", `${path}: truncated DICOM file (${detail})`, path);
    this.offset = offset;
  }
}

/**
 * A DICOM file whose header contradicts itself or its own byte lengths (missing Rows, pixel data
 * shorter than Rows×Columns says, a length field past the end, RLE offsets out of the frame …).
 * `attribute` names the DICOM attribute (or structure) at fault.
 */
export class InvalidDicomError extends UnmaskError {
  readonly attribute: string;
  readonly offset?: number;
  constructor(path: string, attribute: string, detail: string, offset?: number) {
    super("INVALID_DICOM", `${path}: ${attribute}: ${detail}`, path);
    this.attribute = attribute;
    this.offset = offset;
  }
}

/** A readable DICOM image that unmask does not turn into a volume (multi-frame, colour, 1-bit …). */
export class UnsupportedImageError extends UnmaskError {
  constructor(path: string, detail: string, code = "UNSUPPORTED_IMAGE") {
    super(code, `${path}: ${detail}`, path);
  }
}

/** A series whose volume would not fit the memory allowed for it (checked before allocating). */
export class VolumeTooLargeError extends UnmaskError {
  constructor(path: string, detail: string) {
    super("VOLUME_TOO_LARGE", `${path}: ${detail}`, path);
  }
}

/** A folder tree with no DICOM image series in it. */
export class NoDicomFoundError extends UnmaskError {
  constructor(path: string, detail = "") {
    super("NO_DICOM", `${path}: no DICOM image series found${detail ? ` (${detail})` : ""}`, path);
  }
}

/** Several series in the folder and no choice made. */
export class MultipleSeriesError extends UnmaskError {
  readonly seriesUids: string[];
  constructor(path: string, seriesUids: string[], detail?: string[]) {
    super(
      "MULTIPLE_SERIES",
      `${path}: ${seriesUids.length} series found; choose one with { seriesUid } (or --series): ${(detail ?? seriesUids).join(", ")}`,
      path,
    );
    this.seriesUids = seriesUids;
  }
}

/** A series whose slices disagree on something that must be shared (rows, columns, orientation, spacing). */
export class InconsistentSeriesError extends UnmaskError {
  constructor(path: string, detail: string) {
    super("INCONSISTENT_SERIES", `${path}: ${detail}`, path);
  }
}

/** A gap in slice positions: one or more slices missing between two files. */
export class MissingSliceError extends UnmaskError {
  /** Position (mm along the slice normal) of the slice before the gap. */
  readonly afterPosition: number;
  /** How many slices the gap holds. */
  readonly missing: number;
  /** The files on either side of the gap. */
  readonly between: [string, string];
  constructor(path: string, afterIndex: number, afterPosition: number, expected: number, found: number, between: [string, string]) {
    const missing = Math.max(1, Math.round(found / expected) - 1);
    super(
      "MISSING_SLICE",
      `${path}: ${missing} slice(s) missing after slice ${afterIndex} (${between[0]}, at ${afterPosition.toFixed(2)} mm along the normal) ` +
        `and before ${between[1]}: gap of ${found.toFixed(2)} mm where the spacing is ${expected.toFixed(2)} mm`,
      path,
    );
    this.afterPosition = afterPosition;
    this.missing = missing;
    this.between = between;
  }
}

/** Pixel data in a transfer syntax this build cannot decode. */
export class UnsupportedTransferSyntaxError extends UnmaskError {
  readonly transferSyntaxUid: string;
  constructor(path: string, uid: string, name: string) {
    super(
      "UNSUPPORTED_TRANSFER_SYNTAX",
      `${path}: pixel data is compressed as ${name} (${uid}); decompress it first (e.g. dcmdjpeg / gdcmconv --raw)`,
      path,
    );
    this.transferSyntaxUid = uid;
  }
}

/** Compressed pixel data the codec cannot decode (a damaged or cut stream, or one contradicting the header). */
export class CorruptPixelDataError extends UnmaskError {
  constructor(path: string, detail: string) {
    super("CORRUPT_PIXEL_DATA", `${path}: corrupt pixel data (${detail})`, path);
  }
}

/** An image file that cannot be decoded. */
export class ImageDecodeError extends UnmaskError {
  constructor(path: string, detail: string) {
    super("IMAGE_DECODE", `${path}: cannot decode image (${detail})`, path);
  }
}

/** Invalid option or argument passed by the caller. */
export class InvalidArgumentError extends UnmaskError {
  constructor(message: string) {
    super("INVALID_ARGUMENT", message);
  }
}

/** A model or native component that could not be loaded (missing package file, no WebGL context). */
export class EnvironmentError extends UnmaskError {
  constructor(message: string, path?: string, options?: { cause?: unknown }) {
    super("ENVIRONMENT", message, path, options);
  }
}
