/**
 * What the app can run: the registry's variants marked for the app (src/engines): the micro
 * engine on WebGPU, and the population equations with the age-resolved (checked by default) or
 * the first- or second-order STP mean-field (meso, finite N) or their N → ∞ limit (macro). Labels and colours are the registry's.
 */
import { APP_VARIANTS, variant, type AppVariantId, type Variant } from '../../engines';

export type LevelChoice = AppVariantId;
export const LEVEL_CHOICES: readonly LevelChoice[] = APP_VARIANTS;

/** Each choice's variant (label, short label for legends, colour, engine and options), looked up once: ./plotData.ts draws with it. */
export const LEVELS = Object.fromEntries(LEVEL_CHOICES.map((c) => [c, variant(c)])) as Record<LevelChoice, Variant>;
