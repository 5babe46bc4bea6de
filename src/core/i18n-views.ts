/**
 * `t` for the lazily loaded views. Importing it brings their English (i18n-en-views.ts) into
 * the table English falls back to, before any of them renders; the app chunk never carries
 * those strings. A wrapper defined here, not a re-export, so the bundler keeps this module
 * (and the line that adds the strings) wherever a view uses it.
 */
import { addEnglish, t as appT } from './i18n';
import { enViews } from './i18n-en-views';

addEnglish(enViews);

export const t: typeof appT = (key, params) => appT(key, params);
