// PLACEHOLDER: replaced by the wheel work. Keep the class name and constructor.
import type { Core } from "./core.js";

export class Wheel {
  constructor(readonly core: Core) {}
}
