/** A binary min-heap ordered by a numeric key: O(log n) push and pop, O(1) peek. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly keyOf: (item: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    const k = this.keyOf(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keyOf(a[parent]) <= k) break;
      a[i] = a[parent];
      i = parent;
    }
    a[i] = item;
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    const k = this.keyOf(last);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const child = r < a.length && this.keyOf(a[r]) < this.keyOf(a[l]) ? r : l;
      if (this.keyOf(a[child]) >= k) break;
      a[i] = a[child];
      i = child;
    }
    a[i] = last;
    return top;
  }

  /** Pops every item whose key is at most `limit`, oldest first. */
  *popUntil(limit: number): Generator<T> {
    while (this.items.length && this.keyOf(this.items[0]) <= limit) yield this.pop()!;
  }
}
