import type { Server } from "node:http";

export declare const SERVED: Readonly<Record<string, string>>;
export declare const MIME: Readonly<Record<string, string>>;
export declare function resolvePath(urlPath: string, root?: string): string | null;
export declare function startServer(opts?: { port?: number; host?: string; root?: string }): Promise<{
  server: Server;
  url: string;
  close(): Promise<void>;
}>;
