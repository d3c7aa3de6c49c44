// `ethtool -x DEV` texts for the tests. ethtoolX() prints exactly as ethtool
// does (common.c print_indir_table: "%5u: " every 8 entries, " %5u" per
// entry; print_rss_hkey: "%02x" joined by ':'; netlink/rss.c: "    %s: %s"
// per hash function, then the input transformation block of ethtool >= 6.9).
// IXGBE_4 is typed out by hand, to check the printer itself.

export const MS_KEY_TEXT =
  "6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa";

export interface SampleOpts {
  dev: string;
  rings: number;
  /** null prints "Operation not supported". */
  table: number[] | null;
  /** null prints "Operation not supported"; undefined leaves the section out (old ethtool). */
  key?: string | null;
  /** e.g. { toeplitz: true, xor: false, crc32: false }; null: "Operation not supported"; undefined: no section. */
  funcs?: Record<string, boolean> | null;
  /** ethtool >= 6.9 block. */
  xfrm?: { "symmetric-xor": boolean; "symmetric-or-xor"?: boolean };
}

export function ethtoolX(o: SampleOpts): string {
  let s = `RX flow hash indirection table for ${o.dev} with ${o.rings} RX ring(s):\n`;
  if (o.table === null) s += "Operation not supported\n";
  else {
    o.table.forEach((q, i) => {
      if (i % 8 === 0) s += `${String(i).padStart(5)}: `;
      s += ` ${String(q).padStart(5)}`;
      if (i % 8 === 7 || i === o.table!.length - 1) s += "\n";
    });
  }
  if (o.key !== undefined) s += `RSS hash key:\n${o.key === null ? "Operation not supported" : o.key}\n`;
  if (o.funcs !== undefined) {
    s += "RSS hash function:\n";
    if (o.funcs === null) s += "    Operation not supported\n";
    else for (const [n, on] of Object.entries(o.funcs)) s += `    ${n}: ${on ? "on" : "off"}\n`;
  }
  if (o.xfrm) {
    s += "RSS input transformation:\n";
    for (const [n, on] of Object.entries(o.xfrm)) s += `    ${n}: ${on ? "on" : "off"}\n`;
  }
  return s;
}

/** ethtool_rxfh_indir_default: entry i = i % rings. */
export const defaultFill = (size: number, rings: number): number[] => Array.from({ length: size }, (_, i) => i % rings);

export const TOEPLITZ = { toeplitz: true, xor: false, crc32: false };

/** 82599-class NIC, 128 entries over 4 rings, default fill, Microsoft key. */
export const IXGBE_4 = `RX flow hash indirection table for eth0 with 4 RX ring(s):
    0:      0     1     2     3     0     1     2     3
    8:      0     1     2     3     0     1     2     3
   16:      0     1     2     3     0     1     2     3
   24:      0     1     2     3     0     1     2     3
   32:      0     1     2     3     0     1     2     3
   40:      0     1     2     3     0     1     2     3
   48:      0     1     2     3     0     1     2     3
   56:      0     1     2     3     0     1     2     3
   64:      0     1     2     3     0     1     2     3
   72:      0     1     2     3     0     1     2     3
   80:      0     1     2     3     0     1     2     3
   88:      0     1     2     3     0     1     2     3
   96:      0     1     2     3     0     1     2     3
  104:      0     1     2     3     0     1     2     3
  112:      0     1     2     3     0     1     2     3
  120:      0     1     2     3     0     1     2     3
RSS hash key:
${MS_KEY_TEXT}
RSS hash function:
    toeplitz: on
    xor: off
    crc32: off
`;

/** i40e-class: 512 entries over 14 combined channels, with the 6.9+ xfrm block. */
export const I40E_14 = ethtoolX({
  dev: "ens2f1",
  rings: 14,
  table: defaultFill(512, 14),
  key: MS_KEY_TEXT,
  funcs: TOEPLITZ,
  xfrm: { "symmetric-xor": false, "symmetric-or-xor": false },
});

/** mlx5-class: 256 entries, 8 rings, reweighted (`ethtool -X eth1 weight 1 1 1 1 2 2 4 4`). */
export function weighted(size: number, weights: number[]): number[] {
  // ethtool.c fill_indir_table: entries assigned in proportion to weight.
  const sum = weights.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  let partial = 0;
  let j = -1;
  for (let i = 0; i < size; i++) {
    while (i >= Math.floor((size * partial) / sum)) {
      j += 1;
      partial += weights[j]!;
    }
    out.push(j);
  }
  return out;
}
export const MLX5_8 = ethtoolX({
  dev: "eth1",
  rings: 8,
  table: weighted(256, [1, 1, 1, 1, 2, 2, 4, 4]),
  key: MS_KEY_TEXT,
  funcs: TOEPLITZ,
});
