import { PricingError } from './errors.js';
import type { ModelSpec, Precision } from './models.js';

/** An open model described by its architecture, as a launch plan carries it (`plan.model_arch`). */
export interface ModelArch {
  /** Billions of parameters in all. */
  readonly params_b: number;
  /** Billions used per token; the total unless mixture-of-experts. */
  readonly active_params_b?: number;
  readonly layers: number;
  readonly hidden_size: number;
  readonly attention_heads?: number;
  /** Key/value heads; the attention heads when absent (multi-head attention). */
  readonly kv_heads?: number;
  /** hidden_size / attention_heads when absent. */
  readonly head_dim?: number;
  readonly context_window?: number;
  readonly experts?: number;
  readonly experts_per_token?: number;
}

const bad = (field: string, message: string) => new PricingError('BAD_MODEL_ARCH', `${field}: ${message}`, { field });

function positive(v: unknown, field: string, integer: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw bad(field, `expected a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`);
  }
  return v;
}

const optional = (v: unknown, field: string, integer: boolean) =>
  v === undefined || v === null ? undefined : positive(v, field, integer);

/** A catalog entry from a plan's architecture description; every inconsistency names its field under `at`. */
export function modelSpecFromArch(
  name: string,
  arch: ModelArch,
  precision: Precision,
  at = '/plan/model_arch',
): ModelSpec {
  const total = positive(arch.params_b, `${at}/params_b`, false);
  const active = optional(arch.active_params_b, `${at}/active_params_b`, false) ?? total;
  if (active > total) throw bad(`${at}/active_params_b`, `${active} exceeds params_b ${total}`);
  const layers = positive(arch.layers, `${at}/layers`, true);
  const hidden = positive(arch.hidden_size, `${at}/hidden_size`, true);
  const heads = optional(arch.attention_heads, `${at}/attention_heads`, true);
  const kvHeads = optional(arch.kv_heads, `${at}/kv_heads`, true) ?? heads;
  if (kvHeads === undefined) throw bad(`${at}/kv_heads`, 'give kv_heads (or attention_heads for multi-head attention)');
  if (heads !== undefined && kvHeads > heads)
    throw bad(`${at}/kv_heads`, `${kvHeads} exceeds attention_heads ${heads}`);
  const headDim = optional(arch.head_dim, `${at}/head_dim`, true) ?? (heads ? Math.round(hidden / heads) : undefined);
  if (headDim === undefined)
    throw bad(`${at}/head_dim`, 'give head_dim (or attention_heads, to take hidden_size / attention_heads)');
  const experts = optional(arch.experts, `${at}/experts`, true);
  const perToken = optional(arch.experts_per_token, `${at}/experts_per_token`, true);
  if ((experts === undefined) !== (perToken === undefined))
    throw bad(
      `${at}/${experts === undefined ? 'experts' : 'experts_per_token'}`,
      'a mixture of experts needs both experts and experts_per_token',
    );
  if (experts !== undefined && perToken! > experts)
    throw bad(`${at}/experts_per_token`, `${perToken} exceeds experts ${experts}`);
  return {
    id: name,
    totalParamsB: total,
    activeParamsB: active,
    defaultPrecision: precision,
    contextWindow: optional(arch.context_window, `${at}/context_window`, true) ?? 4096,
    layers,
    hiddenSize: hidden,
    kvHeads,
    headDim,
    ...(experts !== undefined ? { experts, expertsPerToken: perToken } : {}),
  };
}

/** Model types whose MLP has two matrices (up, down) instead of three (gate, up, down). */
const PLAIN_MLP = new Set([
  'gpt2',
  'gptj',
  'gpt_neox',
  'gpt_bigcode',
  'opt',
  'bloom',
  'falcon',
  'mpt',
  'phi',
  'starcoder2',
  'codegen',
  'gpt_neo',
]);

type Json = Readonly<Record<string, unknown>>;

function first(c: Json, keys: readonly string[]): unknown {
  for (const k of keys) if (c[k] !== undefined && c[k] !== null) return c[k];
  return undefined;
}

function precisionOf(c: Json): Precision {
  const q = c.quantization_config as Json | undefined;
  if (q) {
    const bits = Number(q.bits ?? q.w_bit ?? (String(q.quant_method ?? '').includes('fp8') ? 8 : NaN));
    if (bits === 4) return 'int4';
    if (bits === 8) return String(q.quant_method ?? '').includes('fp8') ? 'fp8' : 'int8';
  }
  const dtype = String(c.torch_dtype ?? c.dtype ?? 'float16');
  // Engines serve fp32 checkpoints in fp16 ("auto" dtype), so only bf16 checkpoints stay bf16.
  return dtype === 'bfloat16' ? 'bf16' : 'fp16';
}

/**
 * A catalog entry from a Hugging Face `config.json` (Llama, Mistral, Mixtral, Qwen, Gemma, Phi, Falcon, BLOOM,
 * OPT, GPT-J, GPT-NeoX, MPT, StarCoder, DeepSeek and their kin). Parameters are counted from the shapes:
 * embeddings (twice unless tied), attention (Q, K, V, O), the MLP (gated or plain), and routed experts.
 */
export function modelSpecFromHfConfig(name: string, config: unknown, at = '/plan/hf_config'): ModelSpec {
  if (!config || typeof config !== 'object' || Array.isArray(config))
    throw bad(at, 'expected the JSON object of a config.json');
  const c =
    (config as Json).text_config && typeof (config as Json).text_config === 'object'
      ? { ...(config as Json), ...((config as Json).text_config as Json) }
      : (config as Json);
  const field = (keys: readonly string[], integer = true, required = true): number | undefined => {
    const v = first(c, keys);
    if (v === undefined && !required) return undefined;
    return positive(v, `${at}/${keys[0]}`, integer);
  };
  const hidden = field(['hidden_size', 'n_embd', 'd_model', 'dim'])!;
  const layers = field(['num_hidden_layers', 'n_layer', 'num_layers', 'n_layers'])!;
  const heads = field(['num_attention_heads', 'n_head', 'num_heads', 'n_heads'])!;
  const vocab = field(['vocab_size', 'padded_vocab_size'])!;
  const type = String(c.model_type ?? '');
  let kvHeads = field(['num_key_value_heads', 'num_kv_heads', 'multi_query_group_num', 'n_head_kv'], true, false);
  if (kvHeads === undefined)
    kvHeads = c.multi_query === true || (type === 'falcon' && c.new_decoder_architecture !== true) ? 1 : heads;
  const headDim = field(['head_dim'], true, false) ?? hidden / heads;
  const inter = field(['intermediate_size', 'n_inner', 'ffn_dim', 'ffn_hidden_size'], true, false) ?? 4 * hidden;
  const experts = field(['num_local_experts', 'num_experts', 'n_routed_experts', 'moe_num_experts'], true, false);
  const perToken = field(['num_experts_per_tok', 'num_experts_per_token', 'moe_top_k', 'top_k'], true, false);
  const expertInter = field(['moe_intermediate_size', 'expert_intermediate_size'], true, false) ?? inter;
  const shared = field(['n_shared_experts', 'num_shared_experts'], true, false) ?? 0;
  const sharedInter = field(['shared_expert_intermediate_size'], true, false) ?? shared * expertInter;
  const denseLayers = experts ? Math.min(layers, field(['first_k_dense_replace'], true, false) ?? 0) : layers;
  const mlpMatrices = PLAIN_MLP.has(type) ? 2 : 3;
  // Latent attention (DeepSeek V2/V3) caches one compressed vector per layer instead of per-head K and V.
  const latent = field(['kv_lora_rank'], true, false);
  const ropeDim = field(['qk_rope_head_dim'], true, false) ?? 0;
  const attention = latent
    ? hidden * heads * headDim * 2 + hidden * (latent + ropeDim) + latent * heads * headDim * 2
    : hidden * heads * headDim * 2 + 2 * hidden * kvHeads * headDim;
  const mlp = mlpMatrices * hidden * inter;
  const expertMlp = 3 * hidden * expertInter;
  const moeLayer = experts ? experts * expertMlp + 3 * hidden * sharedInter + hidden * experts : mlp;
  // transformers ties the output layer to the embeddings unless the config says otherwise; Llama-style configs say so.
  const tied = c.tie_word_embeddings ?? (PLAIN_MLP.has(type) || type.startsWith('gemma'));
  const embeddings = vocab * hidden * (tied === true ? 1 : 2);
  const total = embeddings + layers * attention + denseLayers * mlp + (layers - denseLayers) * moeLayer;
  const activeMoe = experts ? perToken! * expertMlp + 3 * hidden * sharedInter : mlp;
  const active = experts
    ? embeddings + layers * attention + denseLayers * mlp + (layers - denseLayers) * activeMoe
    : total;
  if (experts && !perToken)
    throw bad(`${at}/num_experts_per_tok`, 'a mixture-of-experts config needs the experts used per token');
  return {
    id: name,
    totalParamsB: total / 1e9,
    activeParamsB: active / 1e9,
    defaultPrecision: precisionOf(c),
    contextWindow:
      field(['max_position_embeddings', 'n_positions', 'seq_length', 'max_sequence_length', 'n_ctx'], true, false) ??
      2048,
    layers,
    hiddenSize: hidden,
    kvHeads: latent ? 1 : kvHeads,
    headDim: latent ? (latent + ropeDim) / 2 : headDim,
    ...(experts ? { experts, expertsPerToken: perToken } : {}),
  };
}
