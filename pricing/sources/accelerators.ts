import { parseCsv } from '../../lib/csv.js';
import { normaliseName } from '../names.js';
import type { GpuSpecTable } from '../gpu-specs.js';

/** What a catalog row tells about its accelerator besides the name. */
export interface AcceleratorHints {
  readonly instanceType?: string;
  /** What the row says one GPU's memory is, in GB: candidates, since catalogs write it in more than one way. */
  readonly memoryGb?: readonly number[];
}

export interface ResolvedAccelerator {
  readonly id: string;
  /** True when `id` is a catalog GPU id (the spec table knows it). */
  readonly known: boolean;
}

/** Form-factor suffixes clouds append to one product's name (H100-SXM, H100-NVLINK, H100-MEGA, A100-80G-PCIe). */
const FORM = /[-_ ]?(sxm[0-9]?|nvlink|mega|pcie)$/i;

/**
 * Names accelerators the same way across clouds: a name the GPU spec table knows becomes its catalog id (with the
 * form factor and memory size the row gives, so an `A100` with 80 GB is `A100-80GB`); any other name becomes
 * SkyPilot's common spelling from `common/accelerators.csv` when it matches one once normalised (`RTX6000Ada` and
 * `RTX6000-Ada` are one part), else the first spelling seen of it.
 */
export class AcceleratorNames {
  private readonly common = new Map<string, string>();

  constructor(private readonly specs: GpuSpecTable, commonNames: readonly string[] = []) {
    for (const n of commonNames) if (!this.common.has(normaliseName(n))) this.common.set(normaliseName(n), n);
  }

  /** `common_accelerators_v8.csv` (AcceleratorName, Clouds). */
  static parseCommon(text: string): string[] {
    return parseCsv(text, ['AcceleratorName'], 'SkyPilot common accelerators').rows.map((r) => r.values.AcceleratorName).filter(Boolean);
  }

  get commonNames(): string[] {
    return [...this.common.values()];
  }

  resolve(raw: string, hints: AcceleratorHints = {}): ResolvedAccelerator {
    const name = raw.trim().replace(/-(\d+)G$/i, '-$1GB').replace(/-(\d+)G-/i, '-$1GB-');
    const forms = new Set<string>();
    let base = name;
    for (let m = FORM.exec(base); m && m.index > 0; m = FORM.exec(base)) {
      forms.add(m[1].toLowerCase().replace(/\d$/, ''));
      base = base.slice(0, m.index);
    }
    const pcie = forms.has('pcie') || /pcie/i.test(hints.instanceType ?? '');
    const sxm = [...forms].some((f) => f !== 'pcie');
    const sized = /-\d+GB$/i.test(base);
    const mems = (hints.memoryGb ?? []).filter((m) => m > 0);
    const fits = (memoryGb: number) => !mems.length || mems.some((m) => Math.abs(memoryGb - m) <= Math.max(8, memoryGb * 0.1));
    const candidates = [
      pcie ? `${base}-PCIe` : undefined,
      sxm ? `${base}-SXM` : undefined,
      ...(sized ? [] : mems.map((m) => `${base}-${Math.round(m)}GB`)),
      base,
      name,
    ].filter((c): c is string => !!c);
    for (const c of candidates) {
      const spec = this.specs.find(c);
      if (spec && fits(spec.memoryGb)) return { id: spec.id, known: true };
    }
    const key = normaliseName(name);
    const common = this.common.get(key) ?? this.common.get(normaliseName(base));
    if (common) return { id: common, known: false };
    this.common.set(key, name);
    return { id: name, known: false };
  }
}

/**
 * One GPU's memory from SkyPilot's GpuInfo column, in GB, as candidates: catalogs write one GPU's size in MiB
 * (most), in GB under the MiB key (shadeform), or the instance's total (vast, primeintellect).
 */
export function gpuInfoMemoryGb(info: string): number[] {
  const m = /['"]SizeInMiB['"]:\s*([0-9.]+)/.exec(info);
  if (!m) return [];
  const size = Number(m[1]);
  const count = Number(/['"]Count['"]:\s*['"]?([0-9.]+)/.exec(info)?.[1] ?? 1);
  const gb = size < 1024 ? size : size / 1024;
  return count > 1 ? [gb, gb / count] : [gb];
}
