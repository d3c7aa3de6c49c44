// Node entry of the skbsim library.
export * from "./api.js";
export { createCore, type NodeLoadOptions } from "./core/node.js";
