export { tenancyErrors } from './errors.ts';
export {
  createTenancyService,
  type Organization,
  organizationInput,
  type TenancyDeps,
  type TenancyService,
} from './service.ts';
