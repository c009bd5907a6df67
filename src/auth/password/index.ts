export {
  type PasswordContext,
  type PasswordPolicy,
  passwordProblems,
  soc2Baseline,
} from './model.ts';
