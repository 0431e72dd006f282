export { COMMAND_NAMES, main } from './main.ts';
