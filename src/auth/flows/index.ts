export {
  type BootstrapDeps,
  type BootstrapInput,
  type BootstrapService,
  createBootstrapService,
  platformAdminRole,
} from './bootstrap.ts';
