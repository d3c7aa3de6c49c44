// The 16 RSS verification vectors (copy of shared/vectors/rss-toeplitz.json:
// Intel 82599 datasheet 7.1.2.8.3, DPDK app/test/test_thash.c).
import { readFileSync } from "node:fs";

export interface RssVector {
  src: string;
  sport: number;
  dst: string;
  dport: number;
  l3: number;
  l4: number;
}

const raw = JSON.parse(readFileSync(new URL("./rss-toeplitz.json", import.meta.url), "utf8")) as {
  key: string;
  vectors: { src: string; sport: number; dst: string; dport: number; l3: string; l4: string }[];
};

export const VECTOR_KEY = Uint8Array.from(raw.key.match(/../g)!, (x) => parseInt(x, 16));
export const VECTORS: RssVector[] = raw.vectors.map((v) => ({ ...v, l3: Number(v.l3), l4: Number(v.l4) }));
