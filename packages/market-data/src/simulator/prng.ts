// A small, fast, seedable PRNG (sfc32, Chris Doty-Humphrey's "small fast chaotic" generator,
// 128-bit state, passes PractRand) seeded through splitmix32, plus standard normals by Box–Muller.
// The whole state is four uint32 words and one cached normal, so it can live inside a plain,
// serializable simulator state and be copied to keep stepping pure.

export interface RngState {
  a: number;
  b: number;
  c: number;
  d: number;
  /** Second normal of the last Box–Muller pair, or null. */
  spare: number | null;
}

/** Hash a string or number seed into 32 bits (FNV-1a over the string form). */
export function hashSeed(seed: string | number): number {
  const s = String(seed);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(x: number): [number, number] {
  const next = (x + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z >>> 0];
}

export function seedRng(seed: string | number): RngState {
  let x = hashSeed(seed);
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [next, out] = splitmix32(x);
    x = next;
    words.push(out);
  }
  const rng = new Rng({ a: words[0]!, b: words[1]!, c: words[2]!, d: words[3]!, spare: null });
  // Warm up so that similar seeds diverge fully.
  for (let i = 0; i < 12; i++) rng.nextU32();
  return rng.state();
}

/** Mutable generator over a copied RngState; call state() to read the new state back. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null;

  constructor(state: RngState) {
    this.a = state.a >>> 0;
    this.b = state.b >>> 0;
    this.c = state.c >>> 0;
    this.d = state.d >>> 0;
    this.spare = state.spare;
  }

  state(): RngState {
    return { a: this.a, b: this.b, c: this.c, d: this.d, spare: this.spare };
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in (0, 1), never exactly zero (safe for logarithms). */
  uniformOpen(): number {
    return (this.nextU32() + 0.5) / 4294967296;
  }

  /** Standard normal N(0, 1), Box–Muller (both outputs used). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u1 = this.uniformOpen();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Poisson(lambda) by Knuth's multiplication method for small lambda, normal approx above 30. */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) {
      return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    }
    const l = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    for (;;) {
      p *= this.uniform();
      if (p <= l) return k;
      k++;
    }
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }
}
