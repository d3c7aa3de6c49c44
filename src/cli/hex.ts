// RSS key text: "6d:5a:56:…" as `ethtool -x` prints it, the same with spaces,
// or one run of hex digits ("6d5a56…", optional 0x). Two digits per byte.
import { UsageError } from "./errors.js";

/** include/linux/netdevice.h: NETDEV_RSS_KEY_LEN */
export const NETDEV_RSS_KEY_LEN = 52;
export const RSS_KEY_MIN = 4;

const KEY_FORMS = "2 hex digits per byte, as 6d:5a:56 or 6d5a56";
const KEY_SIZES = `${RSS_KEY_MIN}..${NETDEV_RSS_KEY_LEN} bytes, NETDEV_RSS_KEY_LEN`;

export function parseHexKey(text: string, label: string): Uint8Array {
  const t = text.trim();
  if (t.length === 0) throw new UsageError(label, "is empty", `${KEY_SIZES}; ${KEY_FORMS}`);
  let tokens: string[];
  if (/[:\s]/.test(t)) {
    tokens = t.split(/[:\s]+/).filter((x) => x.length > 0);
  } else {
    const digits = t.startsWith("0x") || t.startsWith("0X") ? t.slice(2) : t;
    if (digits.length % 2 !== 0) throw new UsageError(label, `has an odd number of hex digits (${digits.length})`, KEY_FORMS);
    tokens = digits.match(/../g) ?? [];
  }
  const bad = tokens.find((x) => !/^[0-9a-fA-F]{2}$/.test(x));
  if (bad !== undefined) throw new UsageError(label, `"${bad}" is not a hex byte`, KEY_FORMS);
  if (tokens.length < RSS_KEY_MIN || tokens.length > NETDEV_RSS_KEY_LEN) {
    throw new UsageError(label, `${tokens.length} bytes is too ${tokens.length < RSS_KEY_MIN ? "short" : "long"}`, KEY_SIZES);
  }
  return Uint8Array.from(tokens, (x) => parseInt(x, 16));
}

/** "6d:5a:56:…", the form ethtool prints. */
export function formatHexKey(key: Uint8Array): string {
  return Array.from(key, (b) => b.toString(16).padStart(2, "0")).join(":");
}
