// Node entry of the skbsim library.
export * from "./api.js";
export { createCore, type NodeLoadOptions } from "./core/node.js";
export { loadScenarioFile, resolveScenario } from "./scenario/file.js";
export { PcapFileWriter, PcapFileReader, readPcapFile } from "./wire/pcap-node.js";
export { runScenario } from "./run-scenario.js";
