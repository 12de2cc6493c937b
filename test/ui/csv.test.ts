import { describe, expect, it } from 'vitest';
import { toCsv } from '../../ui/src/components/csv.js';

describe('CSV downloads', () => {
  it('quotes what RFC 4180 says to quote, and keeps numbers exact', () => {
    expect(toCsv(['tenant', 'spend (USD)', 'note'], [['acme', 0.000123, 'a, "b"\nc'], ['globex', -2, null]]))
      .toBe('tenant,spend (USD),note\r\nacme,0.000123,"a, ""b""\nc"\r\nglobex,-2,\r\n');
  });

  it('never hands a spreadsheet a formula from client-sent names', () => {
    const csv = toCsv(['tenant'], [['=HYPERLINK("http://x")'], ['+1'], ['-cmd'], ['@SUM(A1)'], ['\tx']]);
    expect(csv.split('\r\n').slice(1, -1)).toEqual([`"'=HYPERLINK(""http://x"")"`, "'+1", "'-cmd", "'@SUM(A1)", "'\tx"]);
  });
});
