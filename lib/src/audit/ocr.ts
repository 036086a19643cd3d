import { execFile } from "node:child_process";
import { EnvironmentError, UnmaskError } from "../core/errors";

/**
 * Text in an image by OCR: Debian's `tesseract` program (called as a program, English model), one
 * entry per non-empty line. A missing program is an EnvironmentError, never "no text".
 */
export function ocrImage(pngFile: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile("tesseract", [pngFile, "stdout", "-l", "eng", "--psm", "11"], { timeout: 60_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      if (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") reject(new EnvironmentError("OCR needs the tesseract program (Debian: apt-get install tesseract-ocr tesseract-ocr-eng)"));
        else reject(new UnmaskError("OCR_FAILED", `tesseract failed on ${pngFile}: ${stderr || err.message}`, pngFile));
        return;
      }
      resolve(stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length >= 2 && /[A-Za-z0-9]{2}/.test(l)));
    });
  });
}
