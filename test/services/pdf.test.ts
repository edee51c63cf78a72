/**
 * The PDF writer (src/services/pdf.ts): names in any script come back out of the file as text, and the
 * same input gives the same bytes (the agreement's documentHash depends on it).
 */
import { renderPdf, type PdfSpec } from '../../src/services/pdf';
import { pdfText } from '../support/pdf-text';

const NAMES = ['Иван Петрович Сидоров', 'Γιώργος Παπαδόπουλος', 'Zoë Ångström-Nuñez', 'Łukasz Żółć', 'François Œuvré'];

function spec(date = '2026-11-23'): PdfSpec {
  return {
    title: 'Loan agreement test',
    date,
    blocks: [
      { text: 'LOAN AGREEMENT', size: 16, bold: true },
      ...NAMES.map((n) => ({ text: `Borrower: ${n}` })),
      { space: 1 },
      {
        table: {
          columns: [{ header: '#', weight: 1, align: 'right' }, { header: 'Due date', weight: 3 }, { header: 'Total', weight: 3, align: 'right' }],
          rows: Array.from({ length: 120 }, (_, i) => [String(i + 1), `2027-${String((i % 12) + 1).padStart(2, '0')}-01`, `${100 + i}.25`]),
        },
      },
    ],
  };
}

it('embeds a Unicode font: Cyrillic, Greek and accented Latin names read back as written', async () => {
  const pdf = await renderPdf(spec());
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const { text, pages } = await pdfText(pdf);
  expect(pages).toBeGreaterThan(1);
  for (const name of NAMES) expect(text).toContain(`Borrower: ${name}`);
  expect(text).not.toContain('?');
  // The table broke across pages and kept every row.
  expect(text).toMatch(/120\s+2027-12-01\s+219\.25/);
  expect(pdf.toString('latin1')).toMatch(/\/FontFile2/);
  expect(pdf.toString('latin1')).toMatch(/DejaVuSans/);
});

it('is deterministic: same input, same bytes; the date is the only clock', async () => {
  const a = await renderPdf(spec());
  const b = await renderPdf(spec());
  expect(a.equals(b)).toBe(true);
  const later = await renderPdf(spec('2026-11-24'));
  expect(later.equals(a)).toBe(false);
  // CreationDate and ModDate are the document's date (indirect string objects in pdfkit's output).
  expect(a.toString('latin1').match(/\(D:\d{14}Z\)/g)).toEqual(['(D:20261123000000Z)', '(D:20261123000000Z)']);
  expect(a.toString('latin1')).not.toContain('Helvetica');
});

it('refuses a date that is not YYYY-MM-DD', () => {
  expect(() => renderPdf({ ...spec(), date: 'today' })).toThrow(/YYYY-MM-DD/);
});
