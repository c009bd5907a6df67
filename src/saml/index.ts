export { createSamlAdmin, type SamlAdmin } from './admin/service.ts';
export {
  createSamlApplications,
  type SamlApplication,
  type SamlApplications,
} from './applications.ts';
export {
  type AcsUrl,
  type ApplicationSettings,
  type AttributeMapping,
  attributeSources,
  nameIdFormats,
} from './applications-model.ts';
export { samlErrors } from './errors.ts';
export { createSamlKeys, type SamlKey, type SamlKeys, samlKeyColumn, samlKeyUses } from './keys.ts';
export type { Departure, IdpIdentity, SamlMessage } from './messages.ts';
export {
  createSamlService,
  type SamlClient,
  type SamlOutcome,
  type SamlService,
} from './service.ts';
