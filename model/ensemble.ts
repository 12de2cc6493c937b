import { ModelError } from './errors.js';
import type { Link, ParsedModel } from './xgboost-json.js';

/**
 * A tree ensemble flattened into typed arrays: one node table for all trees, children as absolute
 * indexes, leaves marked by a negative feature index. Thresholds are kept as float32, as XGBoost
 * compares them (`x < threshold` goes left; a missing value follows `default_left`).
 */
export class TreeEnsemble {
  readonly numFeature: number;
  readonly numTarget: number;
  readonly link: Link;
  readonly featureNames?: readonly string[];
  readonly quantileAlpha?: readonly number[];
  private readonly feature: Int32Array;
  private readonly threshold: Float32Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly defaultLeft: Uint8Array;
  private readonly leafValue: Float64Array;
  private readonly roots: Int32Array;
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
    this.feature = new Int32Array(total);
    this.threshold = new Float32Array(total);
    this.left = new Int32Array(total);
    this.right = new Int32Array(total);
    this.defaultLeft = new Uint8Array(total);
    this.leafValue = new Float64Array(total);
    this.roots = new Int32Array(m.trees.length);
    this.rootTarget = Int32Array.from(m.treeInfo);
    let base = 0;
    m.trees.forEach((t, ti) => {
      this.roots[ti] = base;
      for (let j = 0; j < t.left_children.length; j++) {
        const k = base + j;
        if (t.left_children[j] === -1) {
          this.feature[k] = -1;
          this.leafValue[k] = Math.fround(t.split_conditions[j]);
        } else {
          this.feature[k] = t.split_indices[j];
          this.threshold[k] = t.split_conditions[j];
          this.left[k] = base + t.left_children[j];
          this.right[k] = base + t.right_children[j];
          this.defaultLeft[k] = t.default_left[j] ? 1 : 0;
        }
      }
      base += t.left_children.length;
    });
  }

  get treeCount(): number {
    return this.roots.length;
  }

  /** Raw margins of one row (`x` has `numFeature` values, NaN = missing) into `out[0..numTarget)`. */
  predictMargin(x: Float32Array | Float64Array | number[], out: Float64Array = new Float64Array(this.numTarget), offset = 0): Float64Array {
    const { feature, threshold, left, right, defaultLeft, leafValue, roots, rootTarget } = this;
    for (let t = 0; t < this.numTarget; t++) out[t] = 0;
    for (let ti = 0; ti < roots.length; ti++) {
      let k = roots[ti];
      let f = feature[k];
      while (f >= 0) {
        const v = x[offset + f];
        k = v !== v ? (defaultLeft[k] ? left[k] : right[k]) : v < threshold[k] ? left[k] : right[k];
        f = feature[k];
      }
      out[rootTarget[ti]] += leafValue[k];
    }
    for (let t = 0; t < this.numTarget; t++) out[t] = Math.fround(out[t]) + this.baseMargin[t];
    return out;
  }

  /** Predictions (link applied) for one row. */
  predict(x: Float32Array | Float64Array | number[], out: Float64Array = new Float64Array(this.numTarget)): Float64Array {
    if (x.length < this.numFeature) throw new ModelError('BAD_VECTOR', `expected ${this.numFeature} features, got ${x.length}`, 'features');
    this.predictMargin(x, out);
    return this.applyLink(out);
  }

  /** Row-major batch: `rows x numFeature` in, `rows x numTarget` out. */
  predictBatch(matrix: Float32Array, rows: number, out: Float64Array = new Float64Array(rows * this.numTarget)): Float64Array {
    if (matrix.length < rows * this.numFeature) throw new ModelError('BAD_VECTOR', `expected ${rows * this.numFeature} values for ${rows} rows, got ${matrix.length}`, 'features');
    const row = new Float64Array(this.numTarget);
    for (let i = 0; i < rows; i++) {
      this.predictMargin(matrix, row, i * this.numFeature);
      this.applyLink(row);
      out.set(row, i * this.numTarget);
    }
    return out;
  }

  private applyLink(v: Float64Array): Float64Array {
    if (this.link === 'exp') for (let t = 0; t < v.length; t++) v[t] = Math.exp(v[t]);
    else if (this.link === 'sigmoid') for (let t = 0; t < v.length; t++) v[t] = 1 / (1 + Math.exp(-v[t]));
    return v;
  }
}
