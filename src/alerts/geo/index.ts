export { distanceKm } from './distance.ts';
export {
  createGeoLocator,
  type GeoDatabases,
  geoDatabasesOf,
  type LoadedGeoLocator,
  shippedGeoDatabases,
} from './locator.ts';
