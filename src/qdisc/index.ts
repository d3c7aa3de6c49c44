// Qdiscs: pfifo_fast, fq (6.12 sch_fq), mq, and the default-qdisc choice.
export * from "./qdisc.js";
export * from "./pkt-len.js";
export * from "./pfifo-fast.js";
export * from "./fq-config.js";
export * from "./fq.js";
export * from "./mq.js";
export * from "./default.js";
