/**
 * All of English in one table (the app's part and the lazy views' part), for checks and tests
 * that need every string; the widget itself never imports this (it would put the views' part
 * back into the app chunk).
 */
import { en as enApp } from './i18n-en';
import { enViews } from './i18n-en-views';
import type { Messages } from './i18n';

export type { MessageKey, Messages } from './i18n';
export { LOCALES } from './i18n';

export const en: Messages = { ...enApp, ...enViews };
