import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/index.js';

const DIR = join(ROOT, 'notebooks');
const NOTEBOOKS = readdirSync(DIR).filter((f) => f.endsWith('.ipynb')).sort();

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: { output_type: string; text?: string | string[]; ename?: string; data?: Record<string, unknown> }[];
  execution_count?: number | null;
}
const cells = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { cells: Cell[] }).cells;
const text = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join('') : (t ?? ''));

describe('notebooks', () => {
  it('are kept in git without outputs', () => {
    expect(NOTEBOOKS).toEqual(['01-explore-runs.ipynb', '02-python-xgboost-interchange.ipynb', '03-predicted-vs-actual.ipynb']);
    for (const nb of NOTEBOOKS)
      for (const c of cells(join(DIR, nb)).filter((c) => c.cell_type === 'code')) {
        expect(c.outputs, nb).toEqual([]);
        expect(c.execution_count, nb).toBeNull();
      }
  });

  it('execute on the sample data with the project Python environment (nbconvert --execute)', () => {
    const out = tempDir('lutflow-notebooks-');
    execFileSync(
      join(ROOT, '.venv/bin/jupyter'),
      ['nbconvert', '--to', 'notebook', '--execute', '--output-dir', out, '--ExecutePreprocessor.timeout=600', ...NOTEBOOKS.map((n) => join(DIR, n))],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
    );
    const printed = (nb: string) => cells(join(out, nb)).flatMap((c) => c.outputs ?? []);
    for (const nb of NOTEBOOKS) {
      const outputs = printed(nb);
      expect(outputs.filter((o) => o.output_type === 'error'), nb).toEqual([]);
      expect(outputs.length, nb).toBeGreaterThan(2);
    }
    expect(printed(NOTEBOOKS[0]).some((o) => o.data?.['image/png'])).toBe(true);
    const interchange = printed(NOTEBOOKS[1]).map((o) => text(o.text)).join('');
    expect(interchange).toMatch(/Python model in lutflow: max \|difference\| \d/);
    expect(interchange).toMatch(/gpu_seconds: lutflow's model in Python, max \|difference\| \d/);
    expect(printed(NOTEBOOKS[2]).some((o) => o.data?.['image/png'])).toBe(true);
    // Three notebooks train and plot: about 40 s on a quiet machine, two minutes and more on a busy one.
  }, 600_000);
});
