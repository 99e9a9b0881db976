#!/usr/bin/env node
// vaultgate command entry: runs the CLI and exits with its documented exit code.
import { main } from "../dist/main.js";

process.exitCode = await main(process.argv.slice(2));
