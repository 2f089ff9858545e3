/** Process entry of the bundled CLI (see vite.cli.config.ts and bin/mesostp.js). */
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`mesostp: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
