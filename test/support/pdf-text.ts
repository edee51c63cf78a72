import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The text pdf.js reads out of a PDF, and its page count (see pdf-text-child.mjs). */
export function pdfText(pdf: Buffer): Promise<{ text: string; pages: number }> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [join(__dirname, 'pdf-text-child.mjs')], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`pdf-text failed: ${stderr || err.message}`));
      resolve(JSON.parse(stdout) as { text: string; pages: number });
    });
    child.stdin!.end(pdf);
  });
}
