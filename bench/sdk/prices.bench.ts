import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundledPriceDatabase, parseLiteLlmPrices, type TokenPrice } from '../../pricing/index.js';

/**
 * The maintained price database (bundled @pydantic/genai-prices) against LiteLLM's price map, for the
 * hosts the curated table does not type: how many of LiteLLM's chat models each host has the database
 * price at that host (a model the host does not list is priced at the highest any host charges, not counted here), and how often the two agree on input and output prices (within 1 %).
 */
const LITELLM = resolve(import.meta.dirname, '../../../shared/data/litellm_prices/model_prices_and_context_window.json');
const HOSTS: [string, string[], string][] = [
  ['Azure OpenAI', ['azure'], 'azure'], ['Bedrock', ['bedrock', 'bedrock_converse'], 'bedrock'], ['Vertex AI', ['vertex_ai-language-models'], 'vertex'],
  ['Groq', ['groq'], 'groq'], ['Together', ['together_ai'], 'together'], ['Fireworks', ['fireworks_ai'], 'fireworks'], ['DeepSeek', ['deepseek'], 'deepseek'],
  ['Mistral', ['mistral'], 'mistral'], ['OpenRouter', ['openrouter'], 'openrouter'], ['xAI', ['xai'], 'xai'],
];

const near = (a: number, b: number) => Math.abs(a - b) <= 0.01 * Math.max(a, b);

export async function run(): Promise<void> {
  const db = await bundledPriceDatabase();
  const lite = parseLiteLlmPrices(JSON.parse(readFileSync(LITELLM, 'utf8')), 'shared copy');
  console.log(`\n## sdk: price database (${db.source}: ${db.providers} providers, ${db.models} model entries) against LiteLLM's map (${lite.prices.length} priced entries)`);
  console.log('| host | LiteLLM chat models | priced by the database | input and output agree | disagree (examples) |');
  console.log('|---|---:|---:|---:|---|');
  for (const [host, liteProviders, provider] of HOSTS) {
    const rows = lite.prices.filter((p) => liteProviders.includes(p.provider));
    let priced = 0;
    let agree = 0;
    const differ: string[] = [];
    for (const p of rows) {
      const name = p.id.includes('/') ? p.id.slice(p.id.indexOf('/') + 1) : p.id;
      const d: TokenPrice | undefined = db.find(name, { provider });
      if (!d || d.source.includes('; the highest of')) continue;
      priced++;
      if (near(d.input, p.input) && near(d.output, p.output)) agree++;
      else if (differ.length < 2) differ.push(`${name}: $${d.input / 1e6}/$${d.output / 1e6} vs LiteLLM $${p.input / 1e6}/$${p.output / 1e6}`);
    }
    console.log(`| ${host} | ${rows.length} | ${priced} | ${agree} | ${differ.join('; ')} |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
