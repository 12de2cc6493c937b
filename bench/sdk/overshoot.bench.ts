import { BudgetExceededError, Client, budgetErrorOf } from '../../sdk/index.js';
import { startProviderStub, stubClients, type ProviderStub } from '../../test/helpers/provider-stub.js';

/**
 * Overshoot under concurrency: 500 calls at once on a budget that fits about 100 of them, the stub
 * billing what a provider would (the prompt at its real o200k count, the full output limit per choice).
 * Then the same calls one after another: how much of the budget is used before the first refusal.
 */
const CALLS = 500;
const LATIN = 'Summarise the quarterly GPU spend for the platform team, list the three largest cost drivers, and suggest one budget guardrail for each. '.repeat(6);
const CJK = '请总结平台团队本季度的GPU支出，列出三个最大的成本驱动因素，并为每个因素建议一个预算护栏。'.repeat(6);
const TOOL_ARGS = JSON.stringify({ query: 'GPU spend by team and model for the last quarter', group_by: ['team', 'model'], limit: 50 });

type Call = (i: number) => Promise<unknown>;
interface Scenario { name: string; budgetUsd: number; setup(stub: ProviderStub): void; call(c: Client): Call }

const user = (content: string) => [{ role: 'user' as const, content }];

function scenarios(stub: ProviderStub): Scenario[] {
  const { openai, anthropic, gemini } = stubClients(() => stub);
  const bill = { billPromptO200k: true, usage: { input: 0, output: 200 }, delayMs: 5 };
  return [
    {
      name: 'Latin prompts', budgetUsd: 0.3, setup: (s) => s.setDefault('openai', bill),
      call: (c) => { const ai = c.wrap(openai()); return () => ai.chat.completions.create({ model: 'gpt-4o', messages: user(LATIN), max_tokens: 200 }); },
    },
    {
      name: 'CJK prompts', budgetUsd: 0.3, setup: (s) => s.setDefault('openai', bill),
      call: (c) => { const ai = c.wrap(openai()); return () => ai.chat.completions.create({ model: 'gpt-4o', messages: user(CJK), max_tokens: 200 }); },
    },
    {
      name: 'n: 3', budgetUsd: 0.8, setup: (s) => s.setDefault('openai', bill),
      call: (c) => { const ai = c.wrap(openai()); return () => ai.chat.completions.create({ model: 'gpt-4o', messages: user(LATIN), max_tokens: 200, n: 3 }); },
    },
    {
      name: 'tool-call streams broken early', budgetUsd: 0.3,
      setup: (s) => s.setDefault('openai', { ...bill, toolArguments: TOOL_ARGS, chunks: 10, chunkDelayMs: 2 }),
      call: (c) => {
        const ai = c.wrap(openai());
        return async () => {
          const stream = await ai.chat.completions.create({ model: 'gpt-4o', messages: user(LATIN), max_tokens: 200, stream: true, tools: [] });
          let n = 0;
          for await (const _ of stream) if (++n === 3) break;
        };
      },
    },
    {
      name: 'mixed providers', budgetUsd: 0.6,
      setup: (s) => {
        s.setDefault('openai', bill);
        s.setDefault('anthropic', { usage: { input: 250, output: 200 }, delayMs: 5 });
        s.setDefault('gemini', { usage: { input: 250, output: 200 }, delayMs: 5 });
      },
      call: (c) => {
        const [o, a, g] = [c.wrap(openai()), c.wrap(anthropic()), c.wrap(gemini())];
        return (i) => (i % 3 === 0 ? o.chat.completions.create({ model: 'gpt-4o', messages: user(CJK), max_tokens: 200 })
          : i % 3 === 1 ? a.messages.create({ model: 'claude-haiku-4-5', max_tokens: 200, messages: user(LATIN) })
            : g.models.generateContent({ model: 'gemini-2.5-pro', contents: CJK, config: { maxOutputTokens: 200 } }));
      },
    },
  ];
}

export async function run(): Promise<void> {
  const stub = await startProviderStub();
  console.log(`\n## sdk: overshoot, ${CALLS} concurrent calls, then the same calls one after another (local stub billing real o200k prompts and full outputs)`);
  console.log('| scenario | limit µ$ | concurrent: admitted | spent µ$ | over the limit µ$ | sequential: calls | budget used |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const s of scenarios(stub)) {
    s.setup(stub);
    const limit = Math.round(s.budgetUsd * 1e6);
    const c = new Client({ tenantId: 'bench', budgetUsd: s.budgetUsd });
    const call = s.call(c);
    const results = await Promise.allSettled(Array.from({ length: CALLS }, (_, i) => call(i)));
    for (const r of results) if (r.status === 'rejected' && !budgetErrorOf(r.reason)) throw r.reason;
    const admitted = results.filter((r) => r.status === 'fulfilled').length;
    const spent = Math.round(c.accumulatedCostUsd * 1e6);
    const seq = new Client({ tenantId: 'bench', budgetUsd: s.budgetUsd });
    const one = s.call(seq);
    let n = 0;
    for (; n < 10 * CALLS; n++) {
      const err = await one(n).then(() => undefined, (e) => e);
      if (err) {
        if (!(budgetErrorOf(err) instanceof BudgetExceededError)) throw err;
        break;
      }
    }
    const used = seq.accumulatedCostUsd / s.budgetUsd;
    console.log(`| ${s.name} | ${limit.toLocaleString('en-US')} | ${admitted} | ${spent.toLocaleString('en-US')} | ${Math.max(0, spent - limit).toLocaleString('en-US')} | ${n} | ${(used * 100).toFixed(1)} % |`);
  }
  await stub.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
