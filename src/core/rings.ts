// PLACEHOLDER: replaced by the rings work. Keep the class name and constructor.
import type { Core } from "./core.js";

export class Rings {
  constructor(readonly core: Core) {}
}
