import { ModelError } from './errors.js';

/** The parts of XGBoost's official JSON model (schema: doc/model.schema in the XGBoost repository) that prediction needs. */
export interface XGBoostTreeJson {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: (number | boolean)[];
  split_type?: number[];
  base_weights?: number[];
  tree_param?: { num_nodes?: string; size_leaf_vector?: string };
}

export interface XGBoostModelJson {
  version: [number, number, number];
  learner: {
    feature_names?: string[];
    feature_types?: string[];
    learner_model_param: { base_score: string; num_feature: string; num_class?: string; num_target?: string };
    objective: { name: string; [k: string]: unknown };
    gradient_booster: {
      name: string;
      model: { trees: XGBoostTreeJson[]; tree_info: number[]; gbtree_model_param?: { num_trees?: string } };
    };
  };
}

/** How the summed margin becomes a prediction, per objective. */
export type Link = 'identity' | 'exp' | 'sigmoid';

const LINKS: Record<string, Link> = {
  'reg:squarederror': 'identity', 'reg:linear': 'identity', 'reg:absoluteerror': 'identity', 'reg:quantileerror': 'identity',
  'reg:pseudohubererror': 'identity', 'reg:squaredlogerror': 'identity', 'binary:logitraw': 'identity',
  'reg:gamma': 'exp', 'reg:tweedie': 'exp', 'count:poisson': 'exp',
  'reg:logistic': 'sigmoid', 'binary:logistic': 'sigmoid',
};

const fail = (field: string, message: string, source: string): never => {
  throw new ModelError('MODEL_MALFORMED', `${source}: ${field}: ${message}`, field);
};

function numberArray(v: unknown, field: string, source: string, length?: number): number[] {
  if (!Array.isArray(v)) fail(field, 'expected an array', source);
  const a = v as unknown[];
  if (length !== undefined && a.length !== length) fail(field, `expected ${length} entries, found ${a.length}`, source);
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number' && typeof a[i] !== 'boolean') fail(`${field}[${i}]`, 'expected a number', source);
  return a as number[];
}

/** `"5E-1"`, `"[5E-1]"` or `"[1E0,1.76E0]"` (multi-target, XGBoost ≥ 2.1) to numbers. */
export function parseBaseScore(s: unknown, source: string): number[] {
  if (typeof s !== 'string') return fail('learner.learner_model_param.base_score', 'expected a string', source);
  const parts = s.replace(/^\[|\]$/g, '').split(',').map(Number);
  if (parts.length === 0 || parts.some((x) => !Number.isFinite(x))) fail('learner.learner_model_param.base_score', `cannot parse '${s}'`, source);
  return parts;
}

/** Validated XGBoost JSON, ready to flatten. Refuses what it cannot predict exactly instead of guessing. */
export interface ParsedModel {
  readonly version: [number, number, number];
  readonly numFeature: number;
  readonly numTarget: number;
  readonly objective: string;
  readonly link: Link;
  /** Per target, on the margin scale (the link's inverse already applied). */
  readonly baseMargin: number[];
  readonly featureNames?: string[];
  readonly trees: XGBoostTreeJson[];
  readonly treeInfo: number[];
  readonly quantileAlpha?: number[];
}

function toMargin(base: number, link: Link): number {
  if (link === 'exp') return Math.log(base);
  if (link === 'sigmoid') return Math.log(base / (1 - base));
  return base;
}

export function parseXGBoostModel(json: unknown, source = 'model'): ParsedModel {
  const m = json as XGBoostModelJson;
  if (!m || typeof m !== 'object' || !m.learner) fail('learner', 'missing: not an XGBoost JSON model', source);
  const version = numberArray(m.version, 'version', source, 3) as [number, number, number];
  if (version[0] < 1 || (version[0] === 1 && version[1] < 7)) {
    throw new ModelError('MODEL_UNSUPPORTED', `${source}: written by XGBoost ${version.join('.')}; 1.7 or newer is supported`, 'version');
  }
  const booster = m.learner.gradient_booster;
  if (!booster?.name) fail('learner.gradient_booster.name', 'missing', source);
  if (booster.name !== 'gbtree') throw new ModelError('MODEL_UNSUPPORTED', `${source}: booster '${booster.name}' is not supported (gbtree only; dart needs tree weights, gblinear has no trees)`, 'learner.gradient_booster.name');
  const objective = m.learner.objective?.name;
  if (typeof objective !== 'string') fail('learner.objective.name', 'missing', source);
  const link = LINKS[objective];
  if (!link) throw new ModelError('MODEL_UNSUPPORTED', `${source}: objective '${objective}' is not supported`, 'learner.objective.name');
  const p = m.learner.learner_model_param ?? fail('learner.learner_model_param', 'missing', source);
  const numFeature = Number(p.num_feature);
  if (!Number.isInteger(numFeature) || numFeature < 1) fail('learner.learner_model_param.num_feature', `invalid '${p.num_feature}'`, source);
  if (Number(p.num_class ?? 0) > 1) throw new ModelError('MODEL_UNSUPPORTED', `${source}: multi-class models are not supported`, 'learner.learner_model_param.num_class');
  const numTarget = Math.max(1, Number(p.num_target ?? 1));
  const base = parseBaseScore(p.base_score, source);
  const baseMargin = Array.from({ length: numTarget }, (_, t) => toMargin(base[base.length === 1 ? 0 : t], link));
  const trees = booster.model?.trees;
  if (!Array.isArray(trees)) fail('learner.gradient_booster.model.trees', 'expected an array', source);
  const treeInfo = numberArray(booster.model.tree_info, 'learner.gradient_booster.model.tree_info', source, trees.length);
  trees.forEach((t, i) => {
    const f = `learner.gradient_booster.model.trees[${i}]`;
    if (Number(t.tree_param?.size_leaf_vector ?? 1) > 1) throw new ModelError('MODEL_UNSUPPORTED', `${source}: ${f} has vector leaves (multi_strategy=multi_output_tree), not supported`, f);
    const n = numberArray(t.left_children, `${f}.left_children`, source).length;
    if (n === 0) fail(`${f}.left_children`, 'empty tree', source);
    numberArray(t.right_children, `${f}.right_children`, source, n);
    const idx = numberArray(t.split_indices, `${f}.split_indices`, source, n);
    numberArray(t.split_conditions, `${f}.split_conditions`, source, n);
    numberArray(t.default_left, `${f}.default_left`, source, n);
    if (t.split_type && t.split_type.some((s) => s !== 0)) {
      throw new ModelError('MODEL_UNSUPPORTED', `${source}: ${f} has categorical splits, which this predictor refuses rather than mis-predicts; train with numeric features`, `${f}.split_type`);
    }
    for (let j = 0; j < n; j++) {
      const l = t.left_children[j], r = t.right_children[j];
      if (l === -1) continue;
      if (!(l > j && l < n && r > j && r < n)) fail(`${f}.left_children[${j}]`, `child index out of range (${l}, ${r})`, source);
      if (!(idx[j] >= 0 && idx[j] < numFeature)) fail(`${f}.split_indices[${j}]`, `feature ${idx[j]} is outside 0..${numFeature - 1}`, source);
    }
    if (!(treeInfo[i] >= 0 && treeInfo[i] < numTarget)) fail(`learner.gradient_booster.model.tree_info[${i}]`, `target ${treeInfo[i]} is outside 0..${numTarget - 1}`, source);
  });
  const alpha = (m.learner.objective as { quantile_loss_param?: { quantile_alpha?: string } }).quantile_loss_param?.quantile_alpha;
  return {
    version, numFeature, numTarget, objective, link, baseMargin, trees, treeInfo,
    featureNames: m.learner.feature_names?.length ? m.learner.feature_names : undefined,
    quantileAlpha: alpha ? parseBaseScore(alpha, source) : undefined,
  };
}
