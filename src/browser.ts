// Browser entry of the skbsim library: identical API, WASM fetched by URL.
export * from "./api.js";
export { createCore, type BrowserLoadOptions } from "./core/browser.js";
