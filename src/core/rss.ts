// PLACEHOLDER: replaced by the rss work. Keep the class name and constructor.
import type { Core } from "./core.js";

export class Rss {
  constructor(readonly core: Core) {}
}
