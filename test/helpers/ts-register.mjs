// `--import` this to run src/*.ts in a worker thread or child process (registers ts-hooks.mjs).
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
