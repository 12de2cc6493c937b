import { ModelError } from './errors.js';
import type { Link, ParsedModel } from './xgboost-json.js';

/** 32-bit slots per node: [info, threshold (float32), child slot, leaf value (float32)]. */
const NODE = 4;
/** Trees walked side by side: their steps are independent, so the CPU overlaps their memory latency. */
const LANES = 4;
/** Batch prediction walks blocks of rows through slices of trees that fit the L1 cache together. */
const BLOCK_ROWS = 64;
const BLOCK_TREES = 16;

/**
 * A tree ensemble flattened into one node table for all trees, 16 bytes a node, each split's right child
 * right after its left child. `info` is `feature * 2 + missingGoesRight`. A leaf points at itself with a
 * NaN threshold, so a walk can take a fixed number of steps (the tree's depth) with no branch on the
 * data: `go right = x >= threshold, or x is missing and missing goes right` (XGBoost's rule: `x <
 * threshold` goes left; NaN follows default_left). Thresholds and leaf values are float32, as in XGBoost.
 */
export class TreeEnsemble {
  readonly numFeature: number;
  readonly numTarget: number;
  readonly link: Link;
  readonly featureNames?: readonly string[];
  readonly quantileAlpha?: readonly number[];
  private readonly info: Int32Array;
  private readonly value: Float32Array;
  private readonly roots: Int32Array;
  private readonly depth: Int32Array;
  private readonly rootTarget: Int32Array;
  private readonly baseMargin: Float64Array;

  constructor(m: ParsedModel) {
    this.numFeature = m.numFeature;
    this.numTarget = m.numTarget;
    this.link = m.link;
    this.featureNames = m.featureNames;
    this.quantileAlpha = m.quantileAlpha;
    this.baseMargin = Float64Array.from(m.baseMargin);
    const total = m.trees.reduce((a, t) => a + t.left_children.length, 0);
    const buffer = new ArrayBuffer(total * NODE * 4);
    this.info = new Int32Array(buffer);
    this.value = new Float32Array(buffer);
    this.roots = new Int32Array(m.trees.length);
    this.depth = new Int32Array(m.trees.length);
    this.rootTarget = Int32Array.from(m.treeInfo);
    let next = 0;
    m.trees.forEach((t, ti) => {
      const root = next++ * NODE;
      this.roots[ti] = root;
      // Depth-first from the root; each split reserves two adjacent nodes for its children.
      const stack: [number, number, number][] = [[0, root, 0]];
      while (stack.length) {
        const [src, at, d] = stack.pop()!;
        if (t.left_children[src] === -1) {
          this.info[at] = 0;
          this.value[at + 1] = NaN;
          this.info[at + 2] = at;
          this.value[at + 3] = t.split_conditions[src];
          this.depth[ti] = Math.max(this.depth[ti], d);
          continue;
        }
        const left = next * NODE;
        this.info[at] = t.split_indices[src] * 2 + (t.default_left[src] ? 0 : 1);
        this.value[at + 1] = t.split_conditions[src];
        this.info[at + 2] = left;
        stack.push([t.right_children[src], left + NODE, d + 1], [t.left_children[src], left, d + 1]);
        next += 2;
      }
    });
  }

  get treeCount(): number {
    return this.roots.length;
  }

  /** Adds the leaf values one row reaches in every tree into `acc[accAt + target]`. */
  private accumulate(x: Float32Array | Float64Array | number[], off: number, acc: Float64Array, accAt: number, from = 0, to = this.roots.length): void {
    const { info, value, roots, depth, rootTarget } = this;
    const n = to;
    let ti = from;
    for (; ti + LANES <= n; ti += LANES) {
      let k0 = roots[ti], k1 = roots[ti + 1], k2 = roots[ti + 2], k3 = roots[ti + 3];
      const steps = Math.max(depth[ti + 0], depth[ti + 1], depth[ti + 2], depth[ti + 3]);
      for (let s = 0; s < steps; s++) {
        const i0 = info[k0], i1 = info[k1], i2 = info[k2], i3 = info[k3];
        const v0 = x[off + (i0 >> 1)], v1 = x[off + (i1 >> 1)], v2 = x[off + (i2 >> 1)], v3 = x[off + (i3 >> 1)];
        k0 = info[k0 + 2] + NODE * (+(v0 >= value[k0 + 1]) | (+(v0 !== v0) & i0));
        k1 = info[k1 + 2] + NODE * (+(v1 >= value[k1 + 1]) | (+(v1 !== v1) & i1));
        k2 = info[k2 + 2] + NODE * (+(v2 >= value[k2 + 1]) | (+(v2 !== v2) & i2));
        k3 = info[k3 + 2] + NODE * (+(v3 >= value[k3 + 1]) | (+(v3 !== v3) & i3));
      }
      acc[accAt + rootTarget[ti + 0]] += value[k0 + 3];
      acc[accAt + rootTarget[ti + 1]] += value[k1 + 3];
      acc[accAt + rootTarget[ti + 2]] += value[k2 + 3];
      acc[accAt + rootTarget[ti + 3]] += value[k3 + 3];
    }
    for (; ti < n; ti++) {
      let k = roots[ti];
      for (let s = depth[ti]; s > 0; s--) {
        const i = info[k];
        const v = x[off + (i >> 1)];
        k = info[k + 2] + NODE * (+(v >= value[k + 1]) | (+(v !== v) & i));
      }
      acc[accAt + rootTarget[ti]] += value[k + 3];
    }
  }

  /** Raw margins of one row (`x` has `numFeature` values, NaN = missing) into `out[0..numTarget)`. */
  predictMargin(x: Float32Array | Float64Array | number[], out: Float64Array = new Float64Array(this.numTarget), offset = 0): Float64Array {
    for (let t = 0; t < this.numTarget; t++) out[t] = 0;
    this.accumulate(x, offset, out, 0);
    for (let t = 0; t < this.numTarget; t++) out[t] = Math.fround(out[t]) + this.baseMargin[t];
    return out;
  }

  /** Predictions (link applied) for one row. */
  predict(x: Float32Array | Float64Array | number[], out: Float64Array = new Float64Array(this.numTarget)): Float64Array {
    if (x.length < this.numFeature) throw new ModelError('BAD_VECTOR', `expected ${this.numFeature} features, got ${x.length}`, 'features');
    this.predictMargin(x, out);
    return this.applyLink(out, 0, this.numTarget);
  }

  /** Row-major batch: `rows x numFeature` in, `rows x numTarget` out (link applied). */
  predictBatch(matrix: Float32Array, rows: number, out: Float64Array = new Float64Array(rows * this.numTarget)): Float64Array {
    if (matrix.length < rows * this.numFeature) throw new ModelError('BAD_VECTOR', `expected ${rows * this.numFeature} values for ${rows} rows, got ${matrix.length}`, 'features');
    const { numTarget, numFeature, baseMargin } = this;
    out.fill(0, 0, rows * numTarget);
    // Blocks of rows take a slice of trees at a time, so those trees stay in the L1 cache.
    const trees = this.roots.length;
    for (let start = 0; start < rows; start += BLOCK_ROWS) {
      const end = Math.min(rows, start + BLOCK_ROWS);
      for (let t0 = 0; t0 < trees; t0 += BLOCK_TREES) {
        const t1 = Math.min(trees, t0 + BLOCK_TREES);
        for (let r = start; r < end; r++) this.accumulate(matrix, r * numFeature, out, r * numTarget, t0, t1);
      }
    }
    for (let r = 0; r < rows; r++) for (let t = 0; t < numTarget; t++) out[r * numTarget + t] = Math.fround(out[r * numTarget + t]) + baseMargin[t];
    return this.applyLink(out, 0, rows * numTarget);
  }

  private applyLink(v: Float64Array, from: number, to: number): Float64Array {
    if (this.link === 'exp') for (let i = from; i < to; i++) v[i] = Math.exp(v[i]);
    else if (this.link === 'sigmoid') for (let i = from; i < to; i++) v[i] = 1 / (1 + Math.exp(-v[i]));
    return v;
  }
}
