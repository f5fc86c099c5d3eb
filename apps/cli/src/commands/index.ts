import type { Command } from '../command';
import { whoamiCommand } from './whoami.command';

/** Every `refos` command, in the order `refos --help` lists them. A new command is one file and one line here. */
export const COMMANDS: readonly Command[] = [whoamiCommand];
