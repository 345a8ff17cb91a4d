// Runs a script's body: a ConfigError or an HttpError (bad input) ends it with one clear line.
import { ConfigError } from '../server/config.ts';
import { HttpError } from '../server/errors.ts';

export async function runScript(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`hearth: ${err.message}`);
    } else if (err instanceof HttpError) {
      const fields = Object.entries(err.fieldErrors).map(([field, message]) => `  --${field}: ${message}`);
      console.error([err.message, ...fields].join('\n'));
    } else {
      console.error(`hearth: ${(err as Error).message}`);
    }
    process.exitCode = 1;
  }
}
