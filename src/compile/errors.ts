/**
 * Refusals at compile time name the engine, the scenario field (as a JSON path) and the fix, so
 * that the CLI, the app and the library report the same words whichever engine refused.
 */

export class EngineUnsupportedError extends Error {
  override name = 'EngineUnsupportedError';
  constructor(
    /** The engine that refused (an engine id of the registry). */
    readonly engine: string,
    message: string,
    /** JSON path of the field concerned, e.g. "projections[0].filter" (empty: the whole scenario or the adapter). */
    readonly path = '',
  ) {
    super(`${engine}: ${message}`);
  }
}
