// Types for command.mjs.
export function splitCommand(template: string): string[];
