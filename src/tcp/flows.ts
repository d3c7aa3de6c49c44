// Data connections the report lists (flows[]): the client end registers at
// ESTABLISHED, the server end joins when its child is created.
import type { TcpConn } from "./conn.js";
import type { RrStats } from "./apps.js";

export interface FlowRecord {
  kind: "bulk" | "rr" | "incast";
  from: string;
  /** "host:port" of the server end. */
  to: string;
  dport: number;
  sport: number;
  sender: TcpConn | null;
  receiver: TcpConn | null;
  rr?: RrStats;
}

export function flowKey(clientKey: number, sport: number, serverKey: number, dport: number): string {
  return `${clientKey}:${sport}>${serverKey}:${dport}`;
}
