export { siemErrors } from './errors.ts';
export {
  type SiemStream,
  type StreamInput,
  type StreamUpdate,
  streamInputSchema,
  streamUpdateSchema,
} from './model.ts';
export { createSiemRunner, type RoundReport, type SiemRunner } from './runner.ts';
export { createSiemStreams, type SiemStreams, siemSecretColumn } from './service.ts';
