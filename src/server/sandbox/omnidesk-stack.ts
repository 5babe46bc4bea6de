export { startOmnideskWithRelay } from './omnidesk';
