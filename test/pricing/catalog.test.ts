import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinCatalog, createCatalog, createGpuSpecTable, gpuTimeCostMicros, loadLiteLlmPrices, loadSkyPilotCatalog, normaliseName, parseLiteLlmPrices, PricingError, tokenCostMicros, usdToMicros } from '../../pricing/index.js';
import { sharedFile } from '../helpers/index.js';

const catalog = builtinCatalog();
const REQUIRED_GPUS = ['T4', 'L4', 'A10G', 'L40S', 'A100-40GB', 'A100-80GB', 'H100-PCIe', 'H100-SXM', 'H200', 'GH200', 'B200', 'MI250', 'MI300X', 'Gaudi2'];

describe('names', () => {
  it('normalises vendor spellings to one GPU', () => {
    for (const n of ['nvidia-l4', 'L4', 'NVIDIA L4 GPU', 'l4']) expect(catalog.gpus.get(n).id).toBe('L4');
    expect(normaliseName('NVIDIA L4 GPU')).toBe(normaliseName('nvidia-l4'));
    expect(catalog.gpus.get('Nvidia H100 GPU').id).toBe('H100-SXM');
    expect(catalog.gpus.get('AMD MI300X GPU').id).toBe('MI300X');
    expect(catalog.gpus.get('Habana Gaudi2').id).toBe('Gaudi2');
  });

  it('refuses an unknown GPU with the closest known names', () => {
    try {
      catalog.gpus.get('NVIDIA L5 GPU', '/plan/gpu_type');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PricingError);
      const e = err as PricingError;
      expect(e.code).toBe('UNKNOWN_GPU');
      expect(e.field).toBe('/plan/gpu_type');
      expect(e.closest[0]).toBe('L4');
      expect(e.message).toMatch(/closest known: L4/);
    }
  });

  it('resolves models by Hugging Face id and by short name, and dated API snapshots to their family', () => {
    expect(catalog.models.get('meta-llama/Llama-2-7b-chat-hf').id).toBe('llama-2-7b');
    expect(catalog.models.get('Qwen/Qwen2-72B').totalParamsB).toBeCloseTo(72.71);
    expect(catalog.tokenPrices.get('claude-sonnet-4-5-20250929').id).toBe('claude-sonnet-4-5');
    expect(catalog.tokenPrices.get('gpt-4o-2024-08-06').id).toBe('gpt-4o');
    expect(catalog.tokenPrices.get('gpt-4o-2024-05-13').output).toBe(15_000_000);
    expect(() => catalog.tokenPrices.get('gpt-4q')).toThrow(/closest known: .*gpt-4o/);
  });
});

describe('GPU catalog', () => {
  it('has specs and an on-demand price for every required GPU', () => {
    for (const id of REQUIRED_GPUS) {
      const g = catalog.gpus.get(id);
      expect(g.memoryGb).toBeGreaterThan(0);
      expect(g.memoryBandwidthGbps).toBeGreaterThan(0);
      expect(g.bf16Tflops).toBeGreaterThan(0);
      const q = catalog.gpuPrices.quote(id);
      expect(q.microsPerGpuHour).toBeGreaterThan(0);
      expect(q.price.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('quotes the cheapest offer, narrows by provider and region, and knows spot', () => {
    expect(catalog.gpuPrices.quote('H100-SXM').price.provider).toBe('lambda');
    expect(catalog.gpuPrices.quote('H100-SXM', { provider: 'aws' }).microsPerGpuHour).toBe(6_880_000);
    const spot = catalog.gpuPrices.quote('T4', { spot: true });
    expect(spot.microsPerGpuHour).toBeLessThan(catalog.gpuPrices.quote('T4', { provider: spot.price.provider }).microsPerGpuHour);
    expect(() => catalog.gpuPrices.quote('GH200', { spot: true })).toThrow(PricingError);
  });

  it('imports the real SkyPilot Lambda catalog, telling PCIe from SXM and 40 from 80 GB', () => {
    const imp = loadSkyPilotCatalog(sharedFile('skypilot_catalog/lambda_vms_v8.csv'), 'lambda', createGpuSpecTable(), '2026-07-01');
    expect(imp.taken.length + imp.rejected.length + imp.notGpu).toBe(408);
    expect(imp.notGpu).toBeGreaterThan(0);
    const pcie = imp.taken.find((p) => p.instanceType === 'gpu_1x_h100_pcie')!;
    expect(pcie.gpu).toBe('H100-PCIe');
    expect(imp.taken.find((p) => p.instanceType === 'gpu_8x_h100_sxm5')!.gpu).toBe('H100-SXM');
    expect(imp.taken.find((p) => p.instanceType === 'gpu_8x_a100_80gb_sxm4')!.gpu).toBe('A100-80GB');
    const b200 = imp.taken.find((p) => p.instanceType === 'gpu_8x_b200_sxm6' && p.region === 'us-east-1')!;
    expect(b200.onDemandMicrosPerHour).toBe(usdToMicros(53.52 / 8));
    const withIt = createCatalog({ gpuPrices: imp.taken });
    expect(withIt.gpuPrices.all('RTX6000').length).toBeGreaterThan(1);
  });

  it('rejects bad SkyPilot rows with their line and reason', () => {
    const text = 'InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region,GpuInfo,SpotPrice\n' +
      'x1,H100,1,8,32,2.5,r1,,\nx2,H100,0,8,32,2.5,r1,,\nx3,Z9000,1,8,32,1,r1,,\nx4,L4,1,8,32,,r1,,\ncpu,,,4,16,0.2,r1,,\n';
    const imp = (await_import()).parseSkyPilotCatalog(text, 'p', createGpuSpecTable(), '2026-01-01', 'inline');
    expect(imp.taken).toHaveLength(1);
    expect(imp.notGpu).toBe(1);
    expect(imp.rejected.map((r) => r.line)).toEqual([3, 4, 5]);
    expect(imp.rejected[1].reason).toMatch(/unknown accelerator 'Z9000'/);
    expect(imp.rejected[2].reason).toMatch(/Price ''/);
  });
});
import * as pricing from '../../pricing/index.js';
function await_import() { return pricing; }

describe('token prices', () => {
  const FAMILIES = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'o1', 'o3', 'o3-mini', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano',
    'claude-3-5-haiku', 'claude-3-5-sonnet', 'claude-3-7-sonnet', 'claude-sonnet-4', 'claude-opus-4', 'claude-opus-4-1', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-5',
    'gemini-1.5-flash', 'gemini-1.5-pro', 'gemini-2.0-flash', 'gemini-2.5-flash', 'gemini-2.5-pro'];

  it('covers the required families with dated prices and provider tiers', () => {
    for (const id of FAMILIES) {
      const p = catalog.tokenPrices.get(id);
      expect(p.input, id).toBeGreaterThan(0);
      expect(p.output, id).toBeGreaterThan(p.input * 0.99);
      expect(p.asOf, id).toMatch(/^20\d\d-\d\d-\d\d$/);
    }
    const sonnet = catalog.tokenPrices.get('claude-sonnet-4-5');
    expect([sonnet.cachedInput, sonnet.cacheWrite5m, sonnet.cacheWrite1h]).toEqual([300_000, 3_750_000, 6_000_000]);
    expect(sonnet.longContext).toEqual({ thresholdTokens: 200_000, input: 6_000_000, output: 22_500_000, cachedInput: 600_000 });
    expect(catalog.tokenPrices.get('gpt-4.1').batchInput).toBe(1_000_000);
    expect(catalog.tokenPrices.get('gemini-2.5-pro').longContext?.output).toBe(15_000_000);
  });

  it('agrees with LiteLLM\'s price map on input, output and cached input', () => {
    const lite = loadLiteLlmPrices(sharedFile('litellm_prices/model_prices_and_context_window.json'), '2026-07-01');
    const liteCatalog = createCatalog({ tokenPrices: lite.prices });
    // LiteLLM's own entry is wrong here (output 0 and an 8k context for gemini-1.5-flash); ours follows Google's page.
    const known = new Set(['gemini-1.5-flash']);
    let compared = 0;
    for (const p of catalog.tokenPrices.entries) {
      const key = p.provider === 'gemini' ? `gemini/${p.id}` : (p.aliases?.find((a) => /\d{8}$/.test(a)) ?? p.id);
      const l = lite.prices.find((x) => x.id === key);
      if (!l || known.has(p.id)) continue;
      compared++;
      expect([l.input, l.output], p.id).toEqual([p.input, p.output]);
      if (l.cachedInput !== undefined && p.cachedInput !== undefined && p.provider !== 'gemini') expect(l.cachedInput, `${p.id} cached`).toBe(p.cachedInput);
    }
    expect(compared).toBeGreaterThan(20);
    expect(liteCatalog.tokenPrices.get('gpt-4o').source).toMatch(/model_prices_and_context_window/);
    expect(lite.skipped.length).toBeGreaterThan(0);
  });

  it('names the entry and field of a bad LiteLLM file', () => {
    expect(() => parseLiteLlmPrices({ 'my-model': { input_cost_per_token: 'cheap', max_tokens: 10 } }, '2026-01-01')).toThrow(/my-model\.input_cost_per_token/);
    expect(() => parseLiteLlmPrices([], '2026-01-01')).toThrow(PricingError);
    const ok = parseLiteLlmPrices({ m: { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, max_input_tokens: 1000, litellm_provider: 'x' }, img: { mode: 'image_generation' } }, '2026-01-01');
    expect(ok.prices[0]).toMatchObject({ id: 'm', input: 1_000_000, output: 2_000_000, contextWindow: 1000 });
    expect(ok.skipped).toEqual([{ key: 'img', reason: "mode 'image_generation' is not priced per token" }]);
    expect(JSON.parse(readFileSync(sharedFile('litellm_prices/model_prices_and_context_window.json'), 'utf8'))).toHaveProperty('gpt-4o');
  });
});

describe('money', () => {
  it('is exact in integer micro-dollars', () => {
    expect(tokenCostMicros(1_000_000, 2_500_000)).toBe(2_500_000);
    expect(tokenCostMicros(3, 75_000)).toBe(0); // 0.225 µ$ rounds to 0
    expect(tokenCostMicros(7, 75_000)).toBe(1); // 0.525 µ$ rounds half up
    expect(tokenCostMicros(9_000_000_000, 600_000_000)).toBe(5_400_000_000_000);
    expect(gpuTimeCostMicros(3_600_000, 2_990_000)).toBe(2_990_000);
    expect(usdToMicros(0.1 + 0.2)).toBe(300_000);
    expect(() => usdToMicros(-1)).toThrow(RangeError);
    expect(() => tokenCostMicros(1.5, 1)).toThrow(/tokens/);
  });
});
