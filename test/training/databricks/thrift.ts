/**
 * Thrift's binary protocol (strict messages), written from the protocol description: a reader that
 * decodes any message into field-id maps without an IDL, and a writer of typed values.
 */
export const enum T {
  STOP = 0,
  BOOL = 2,
  BYTE = 3,
  DOUBLE = 4,
  I16 = 6,
  I32 = 8,
  I64 = 10,
  STRING = 11,
  STRUCT = 12,
  MAP = 13,
  SET = 14,
  LIST = 15,
}

export const enum MessageType {
  CALL = 1,
  REPLY = 2,
  EXCEPTION = 3,
}

/** A decoded value: strings and binaries both arrive as Buffers (the wire does not tell them apart). */
export type Decoded = boolean | number | bigint | Buffer | Struct | Decoded[] | Map<Decoded, Decoded>;
export type Struct = Map<number, Decoded>;

export class ThriftReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new RangeError(`thrift: message ends at byte ${this.buf.length}, needed ${this.at + n}`);
  }
  byte(): number {
    this.need(1);
    return this.buf.readInt8(this.at++);
  }
  i16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.at);
    this.at += 8;
    return v;
  }
  double(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.at);
    this.at += 8;
    return v;
  }
  binary(): Buffer {
    const n = this.i32();
    if (n < 0) throw new RangeError(`thrift: negative length ${n}`);
    this.need(n);
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }

  message(): { name: string; type: number; seqid: number; body: Struct } {
    const head = this.i32();
    if ((head & 0xffff0000) !== (0x80010000 | 0)) throw new RangeError(`thrift: not a strict binary message (0x${(head >>> 0).toString(16)})`);
    const name = this.binary().toString('utf8');
    const seqid = this.i32();
    return { name, type: head & 0xff, seqid, body: this.struct() };
  }

  struct(): Struct {
    const s: Struct = new Map();
    for (;;) {
      const type = this.byte();
      if (type === T.STOP) return s;
      const id = this.i16();
      s.set(id, this.value(type));
    }
  }

  value(type: number): Decoded {
    switch (type) {
      case T.BOOL:
        return this.byte() !== 0;
      case T.BYTE:
        return this.byte();
      case T.I16:
        return this.i16();
      case T.I32:
        return this.i32();
      case T.I64:
        return this.i64();
      case T.DOUBLE:
        return this.double();
      case T.STRING:
        return this.binary();
      case T.STRUCT:
        return this.struct();
      case T.MAP: {
        const k = this.byte(), v = this.byte(), n = this.i32();
        const m = new Map<Decoded, Decoded>();
        for (let i = 0; i < n; i++) m.set(this.value(k), this.value(v));
        return m;
      }
      case T.SET:
      case T.LIST: {
        const e = this.byte(), n = this.i32();
        const out: Decoded[] = [];
        for (let i = 0; i < n; i++) out.push(this.value(e));
        return out;
      }
      default:
        throw new RangeError(`thrift: unknown type ${type}`);
    }
  }
}

/** A value to write: its wire type and how to write it. */
export interface Node {
  readonly type: T;
  write(w: ThriftWriter): void;
}

export class ThriftWriter {
  private buf = Buffer.alloc(1 << 12);
  private at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }
  byte(v: number): void {
    this.room(1);
    this.buf.writeInt8(v, this.at++);
  }
  i16(v: number): void {
    this.room(2);
    this.at = this.buf.writeInt16BE(v, this.at);
  }
  i32(v: number): void {
    this.room(4);
    this.at = this.buf.writeInt32BE(v, this.at);
  }
  i64(v: bigint): void {
    this.room(8);
    this.at = this.buf.writeBigInt64BE(v, this.at);
  }
  double(v: number): void {
    this.room(8);
    this.at = this.buf.writeDoubleBE(v, this.at);
  }
  binary(b: Uint8Array): void {
    this.i32(b.length);
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }
  message(name: string, type: MessageType, seqid: number, body: Node): Buffer {
    this.i32((0x80010000 | type) | 0);
    this.binary(Buffer.from(name, 'utf8'));
    this.i32(seqid);
    body.write(this);
    return this.buf.subarray(0, this.at);
  }
}

const node = (type: T, write: (w: ThriftWriter) => void): Node => ({ type, write });

/** Builders of typed values; a struct skips fields that are undefined (optional and absent). */
export const w = {
  bool: (v: boolean) => node(T.BOOL, (x) => x.byte(v ? 1 : 0)),
  byte: (v: number) => node(T.BYTE, (x) => x.byte(v)),
  i16: (v: number) => node(T.I16, (x) => x.i16(v)),
  i32: (v: number) => node(T.I32, (x) => x.i32(v)),
  i64: (v: bigint | number) => node(T.I64, (x) => x.i64(BigInt(v))),
  double: (v: number) => node(T.DOUBLE, (x) => x.double(v)),
  string: (v: string) => node(T.STRING, (x) => x.binary(Buffer.from(v, 'utf8'))),
  binary: (v: Uint8Array) => node(T.STRING, (x) => x.binary(v)),
  struct: (fields: Record<number, Node | undefined>) =>
    node(T.STRUCT, (x) => {
      for (const [id, f] of Object.entries(fields)) {
        if (!f) continue;
        x.byte(f.type);
        x.i16(Number(id));
        f.write(x);
      }
      x.byte(T.STOP);
    }),
  list: (elem: T, items: readonly Node[]) =>
    node(T.LIST, (x) => {
      x.byte(elem);
      x.i32(items.length);
      for (const i of items) i.write(x);
    }),
  map: (key: T, value: T, entries: readonly (readonly [Node, Node])[]) =>
    node(T.MAP, (x) => {
      x.byte(key);
      x.byte(value);
      x.i32(entries.length);
      for (const [k, v] of entries) {
        k.write(x);
        v.write(x);
      }
    }),
  /** A list of one primitive type written straight from values (result columns: no node per value). */
  values: <V>(elem: T, values: readonly V[], put: (x: ThriftWriter, v: V) => void) =>
    node(T.LIST, (x) => {
      x.byte(elem);
      x.i32(values.length);
      for (const v of values) put(x, v);
    }),
};

/** Field accessors for decoded structs. */
export const get = {
  struct: (s: Struct | undefined, id: number): Struct | undefined => s?.get(id) as Struct | undefined,
  string: (s: Struct | undefined, id: number): string | undefined => (s?.get(id) as Buffer | undefined)?.toString('utf8'),
  binary: (s: Struct | undefined, id: number): Buffer | undefined => s?.get(id) as Buffer | undefined,
  bool: (s: Struct | undefined, id: number): boolean | undefined => s?.get(id) as boolean | undefined,
  i32: (s: Struct | undefined, id: number): number | undefined => s?.get(id) as number | undefined,
  i64: (s: Struct | undefined, id: number): bigint | undefined => s?.get(id) as bigint | undefined,
};
