export { distanceKm } from './distance.ts';
export {
  createGeoLocator,
  type GeoDatabases,
  geoDatabasesOf,
  geoLocatorOf,
  type LoadedGeoLocator,
  shippedGeoDatabases,
} from './locator.ts';
