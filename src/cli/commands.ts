// The command table. A new subcommand is one import and one entry here.
import type { Command } from "./command.js";
import { rssCommand } from "./commands/rss.js";
import { kernelCheckCommand } from "./commands/kernel-check.js";
import { runCommand } from "./commands/run.js";
import { scenariosCommand } from "./commands/scenarios.js";

export const COMMANDS: readonly Command[] = [runCommand, scenariosCommand, rssCommand, kernelCheckCommand];
