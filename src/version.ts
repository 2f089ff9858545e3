// A named import, so that bundles carry the version string and not the whole package.json.
import { version as packageVersion } from '../package.json';

/** mesostp's version (package.json). */
export const version: string = packageVersion;
