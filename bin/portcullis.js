#!/usr/bin/env node
// The installed `portcullis` command: runs the compiled CLI.
import '../dist/cli.js';
