import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/** `npm run screenshots`: regenerates e2e/snapshots/*.png (e2e/screenshots.shots.ts); not part of the test suite. */
export default defineConfig({ ...base, testMatch: 'screenshots.shots.ts', workers: 1, fullyParallel: false });
