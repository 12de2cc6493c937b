interface JsonTree {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  base_weights: number[];
}

/**
 * Makes every tree non-decreasing in the `increasing` features by XGBoost's own rule, re-applied to the leaf
 * values: at each split on such a feature, every leaf below the left child stays at or below a bound and every
 * leaf below the right child at or above it. XGBoost enforces this while it grows a tree, but objectives that
 * refresh leaves afterwards (`reg:quantileerror`, `reg:absoluteerror`) can break it by a little; this puts it
 * back, moving only the leaves that cross the bound. Returns the official JSON with the adjusted leaves.
 */
export function enforceMonotone(
  modelJson: string,
  increasing: ReadonlySet<number>,
): { json: string; adjusted: number } {
  const model = JSON.parse(modelJson) as { learner: { gradient_booster: { model: { trees: JsonTree[] } } } };
  let adjusted = 0;
  for (const t of model.learner.gradient_booster.model.trees) {
    const isLeaf = (n: number) => t.left_children[n] === -1;
    const extreme = new Map<number, [number, number]>();
    const range = (n: number): [number, number] => {
      let r = extreme.get(n);
      if (!r) {
        if (isLeaf(n)) r = [t.split_conditions[n], t.split_conditions[n]];
        else {
          const a = range(t.left_children[n]),
            b = range(t.right_children[n]);
          r = [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
        }
        extreme.set(n, r);
      }
      return r;
    };
    const stack: [number, number, number][] = [[0, -Infinity, Infinity]];
    while (stack.length) {
      const [n, lo, hi] = stack.pop()!;
      if (isLeaf(n)) {
        // XGBoost prints float32 leaves in their shortest decimal form: compare as float32, or every leaf would differ.
        const v = Math.fround(t.split_conditions[n]);
        const clipped = Math.fround(Math.min(hi, Math.max(lo, v)));
        if (clipped !== v) {
          t.split_conditions[n] = clipped;
          t.base_weights[n] = clipped;
          adjusted++;
        }
        continue;
      }
      const left = t.left_children[n],
        right = t.right_children[n];
      if (!increasing.has(t.split_indices[n])) {
        stack.push([left, lo, hi], [right, lo, hi]);
        continue;
      }
      const leftMax = Math.min(hi, range(left)[1]),
        rightMin = Math.max(lo, range(right)[0]);
      // float32, as XGBoost stores leaves: a bound that rounds on loading could reopen the gap it closed.
      const bound = leftMax <= rightMin ? leftMax : Math.fround((leftMax + rightMin) / 2);
      stack.push([left, lo, Math.min(hi, bound)], [right, Math.max(lo, bound), hi]);
    }
  }
  return { json: adjusted ? stringifyModel(model) : modelJson, adjusted };
}

/** Tree arrays XGBoost reads as floating point: written with a decimal point, or its parser takes them as integers. */
const FLOAT_ARRAYS = new Set(['base_weights', 'loss_changes', 'split_conditions', 'sum_hessian']);

function stringifyModel(model: unknown): string {
  const raw: string[] = [];
  const text = JSON.stringify(model, (key, value: unknown) => {
    if (!FLOAT_ARRAYS.has(key) || !Array.isArray(value)) return value;
    raw.push(`[${value.map((v: number) => (Number.isInteger(v) ? v.toFixed(1) : String(v))).join(',')}]`);
    return `\u0000${raw.length - 1}`;
  });
  return text.replace(/"\\u0000(\d+)"/g, (_, i: string) => raw[Number(i)]);
}
