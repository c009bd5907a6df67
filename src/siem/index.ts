export { siemErrors } from './errors.ts';
export {
  type SiemStream,
  type StreamInput,
  type StreamUpdate,
  streamInputSchema,
  streamUpdateSchema,
} from './model.ts';
export { structuredDataId } from './payload.ts';
export { createSiemRunner, type RoundReport, type SiemRunner } from './runner.ts';
export { createSiemStreams, lagCap, type SiemStreams, siemSecretColumn } from './service.ts';
